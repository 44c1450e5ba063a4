using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Sender.DeliveryLog;

/// <summary>The delivery log in this process's memory: attempts older than the retention, or beyond the most it keeps, are forgotten first.</summary>
public sealed class InMemoryWebhookDeliveryLog : IWebhookDeliveryLog
{
    private readonly Lock _lock = new();
    private readonly LinkedList<WebhookDeliveryAttempt> _attempts = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _retention;
    private readonly int _maxAttempts;
    private long _sequence;

    /// <summary>Creates a log.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="retention">How long attempts are kept; 30 days when <see langword="null"/>.</param>
    /// <param name="maxAttempts">The most attempts kept; 100,000 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retention"/> or <paramref name="maxAttempts"/> is not more than zero.</exception>
    public InMemoryWebhookDeliveryLog(TimeProvider? timeProvider = null, TimeSpan? retention = null, int maxAttempts = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        _retention = retention ?? TimeSpan.FromDays(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_retention, TimeSpan.Zero, nameof(retention));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _maxAttempts = maxAttempts;
    }

    /// <inheritdoc />
    public ValueTask<WebhookDeliveryAttempt> RecordAsync(WebhookDeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        DateTimeOffset oldest = _timeProvider.GetUtcNow() - _retention;
        lock (_lock)
        {
            WebhookDeliveryAttempt recorded = attempt with { Sequence = ++_sequence };
            _attempts.AddLast(recorded);
            while (_attempts.First is { } first && (_attempts.Count > _maxAttempts || first.Value.StartedAt < oldest))
            {
                _attempts.RemoveFirst();
            }

            return ValueTask.FromResult(recorded);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<WebhookDeliveryAttempt>> ListAsync(string? subscriptionId, string? messageId, long? before, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        DateTimeOffset oldest = _timeProvider.GetUtcNow() - _retention;
        var found = new List<WebhookDeliveryAttempt>(Math.Min(limit, 100));
        lock (_lock)
        {
            for (LinkedListNode<WebhookDeliveryAttempt>? node = _attempts.Last; node is not null && found.Count < limit; node = node.Previous)
            {
                WebhookDeliveryAttempt attempt = node.Value;
                if (attempt.StartedAt < oldest)
                {
                    break;
                }

                if ((before is null || attempt.Sequence < before) &&
                    (subscriptionId is null || string.Equals(attempt.SubscriptionId, subscriptionId, StringComparison.Ordinal)) &&
                    (messageId is null || string.Equals(attempt.MessageId, messageId, StringComparison.Ordinal)))
                {
                    found.Add(attempt);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<WebhookDeliveryAttempt>>(found);
    }
}
