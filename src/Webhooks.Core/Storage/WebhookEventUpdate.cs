using System;

namespace Webhooks.Storage;

/// <summary>
/// The mutable part of a stored event, written as one atomic change by <see cref="IEventStore.UpdateAsync"/>.
/// The id, source, type, headers, body and receive time never change.
/// </summary>
public readonly record struct WebhookEventUpdate
{
    /// <summary>Gets the new status.</summary>
    public required WebhookEventStatus Status { get; init; }

    /// <summary>Gets the new attempt count.</summary>
    public required int Attempts { get; init; }

    /// <summary>Gets when the next attempt is due, or <see langword="null"/>.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Gets when the current lease ends, or <see langword="null"/>.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>Gets the last error, or <see langword="null"/>.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets when the event became processed or dead, or <see langword="null"/>.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets the replay count.</summary>
    public int ReplayCount { get; init; }

    /// <summary>Gets a value indicating whether no handler was registered for the event.</summary>
    public bool Unhandled { get; init; }

    /// <summary>Gets the status the stored event must have for the update to apply (compare-and-set); <see langword="null"/> to apply whatever it is.</summary>
    public WebhookEventStatus? ExpectedStatus { get; init; }

    /// <summary>Gets the attempt count the stored event must have for the update to apply; <see langword="null"/> to apply whatever it is.</summary>
    public int? ExpectedAttempts { get; init; }

    /// <summary>Starts an update from the current state of <paramref name="webhookEvent"/>, expecting that state to be unchanged.</summary>
    /// <param name="webhookEvent">The event as last read.</param>
    /// <returns>An update that changes nothing yet and applies only if status and attempts are still as read.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="webhookEvent"/> is <see langword="null"/>.</exception>
    public static WebhookEventUpdate From(WebhookEvent webhookEvent)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        return new WebhookEventUpdate
        {
            Status = webhookEvent.Status,
            Attempts = webhookEvent.Attempts,
            NextAttemptAt = webhookEvent.NextAttemptAt,
            LeaseExpiresAt = webhookEvent.LeaseExpiresAt,
            LastError = webhookEvent.LastError,
            CompletedAt = webhookEvent.CompletedAt,
            ReplayCount = webhookEvent.ReplayCount,
            Unhandled = webhookEvent.Unhandled,
            ExpectedStatus = webhookEvent.Status,
            ExpectedAttempts = webhookEvent.Attempts,
        };
    }

    internal WebhookEvent ApplyTo(WebhookEvent stored) => stored with
    {
        Status = Status,
        Attempts = Attempts,
        NextAttemptAt = NextAttemptAt,
        LeaseExpiresAt = LeaseExpiresAt,
        LastError = LastError,
        CompletedAt = CompletedAt,
        ReplayCount = ReplayCount,
        Unhandled = Unhandled,
    };

    internal bool Matches(WebhookEvent stored) =>
        (ExpectedStatus is not { } status || stored.Status == status) &&
        (ExpectedAttempts is not { } attempts || stored.Attempts == attempts);
}
