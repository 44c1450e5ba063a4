namespace Webhooks.Processing;

/// <summary>The outcome of <see cref="WebhookPipeline.AcceptAsync"/>.</summary>
public enum WebhookAcceptResult
{
    /// <summary>New: stored and queued for processing (HTTP 202).</summary>
    Queued = 0,

    /// <summary>Already stored with the same body: nothing done (HTTP 200).</summary>
    Duplicate,

    /// <summary>Already stored with a different body: refused and never processed; the stored one is unchanged (HTTP 422).</summary>
    ConflictingDuplicate,
}
