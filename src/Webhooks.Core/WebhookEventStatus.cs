namespace Webhooks;

/// <summary>Where a stored delivery stands in the pipeline.</summary>
public enum WebhookEventStatus
{
    /// <summary>Saved and waiting for a worker.</summary>
    Queued = 0,

    /// <summary>A worker holds its lease and is running the handlers.</summary>
    Processing,

    /// <summary>Every handler succeeded (or no handler was registered for its type).</summary>
    Processed,

    /// <summary>The last attempt failed; another is scheduled at <see cref="Storage.WebhookEventSummary.NextAttemptAt"/>.</summary>
    Failed,

    /// <summary>Retries are exhausted or the failure was permanent; it stays stored until replayed or deleted.</summary>
    Dead,
}
