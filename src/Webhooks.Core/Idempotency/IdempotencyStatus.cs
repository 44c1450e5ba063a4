namespace Webhooks.Idempotency;

/// <summary>The outcome of <see cref="IIdempotencyStore.TryBeginAsync"/>.</summary>
public enum IdempotencyStatus
{
    /// <summary>The caller now holds the lease and must complete or release it with the returned token.</summary>
    Started = 0,

    /// <summary>The work for this key was completed and is remembered; do not do it again.</summary>
    AlreadyProcessed,

    /// <summary>Another worker holds an unexpired lease on this key.</summary>
    InProgress,
}
