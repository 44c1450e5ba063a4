namespace Webhooks.Idempotency;

/// <summary>The outcome of <see cref="IIdempotencyStore.TryBeginAsync"/>.</summary>
/// <param name="Status">Whether the lease was taken.</param>
/// <param name="Token">The fencing token of the lease when <paramref name="Status"/> is <see cref="IdempotencyStatus.Started"/>; otherwise 0. Tokens only grow, so a stale holder's token never matches a newer lease.</param>
public readonly record struct IdempotencyBeginResult(IdempotencyStatus Status, long Token)
{
    /// <summary>Gets a result for a lease that was taken.</summary>
    /// <param name="token">The fencing token.</param>
    /// <returns>The result.</returns>
    public static IdempotencyBeginResult Started(long token) => new(IdempotencyStatus.Started, token);

    /// <summary>Gets the result for a key whose work is done.</summary>
    public static IdempotencyBeginResult AlreadyProcessed { get; } = new(IdempotencyStatus.AlreadyProcessed, 0);

    /// <summary>Gets the result for a key another worker holds.</summary>
    public static IdempotencyBeginResult InProgress { get; } = new(IdempotencyStatus.InProgress, 0);
}
