namespace Webhooks.Storage;

/// <summary>The outcome of <see cref="IWebhookEventStore.BeginHandlerAsync"/>.</summary>
public enum WebhookHandlerBeginResult
{
    /// <summary>The run is the caller's: run the handler, then end the run.</summary>
    Started,

    /// <summary>The handler succeeded for this event already (in this generation): skip it.</summary>
    AlreadySucceeded,

    /// <summary>
    /// The event's run is held by another claim whose hold has not ended: a handler that ignored its cancellation and still runs in
    /// a live process. Defer the event (<see cref="IWebhookEventStore.DeferAsync"/>) rather than count a failed attempt.
    /// </summary>
    Busy,

    /// <summary>The claim's token is stale (its lease ended and the event was claimed again, replayed or deleted): stop.</summary>
    LeaseLost,
}
