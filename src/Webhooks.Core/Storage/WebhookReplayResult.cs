namespace Webhooks.Storage;

/// <summary>The outcome of <see cref="IWebhookEventStore.ReplayAsync"/> and <c>WebhookPipeline.ReplayAsync</c>.</summary>
public enum WebhookReplayResult
{
    /// <summary>
    /// The event is queued again, due at once, with its attempts counted afresh. A dead or failed event runs the handlers that
    /// have not succeeded yet; a forced replay starts a new <see cref="WebhookEvent.Generation"/> and runs them all.
    /// </summary>
    Queued = 0,

    /// <summary>No event has that id.</summary>
    NotFound,

    /// <summary>Refused: the event was processed already; replay it with <c>force</c> to run it again.</summary>
    AlreadyProcessed,

    /// <summary>Refused: the event is queued or being processed; it will run without a replay.</summary>
    AlreadyPending,
}
