namespace Webhooks.Processing;

/// <summary>The outcome of <see cref="WebhookPipeline.ReplayAsync"/>.</summary>
public enum WebhookReplayResult
{
    /// <summary>The event is queued again and will be processed under a fresh idempotency key.</summary>
    Queued = 0,

    /// <summary>No event has that id.</summary>
    NotFound,

    /// <summary>Refused: the event was processed already; replay it with <c>force</c> to run it again.</summary>
    AlreadyProcessed,

    /// <summary>Refused: the event is queued, being processed or waiting for a retry; it will run without a replay.</summary>
    AlreadyPending,
}
