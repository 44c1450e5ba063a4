using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Storage;

/// <summary>
/// A thread-safe, bounded event store in process memory: for development, tests and single-instance services that accept
/// losing stored events when the process ends. Processed events are kept for a retention period (72 hours by default, the
/// senders' retry span) and then forgotten; dead events are kept until replayed or deleted; at capacity, appends throw
/// <see cref="WebhookStoreUnavailableException"/> rather than evict anything still inside its retention.
/// </summary>
public sealed class InMemoryEventStore : IEventStore
{
    /// <summary>The default capacity.</summary>
    public const int DefaultMaxEvents = 100_000;

    private readonly Dictionary<string, Entry> _events = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private long _sequence;

    /// <summary>Creates a store.</summary>
    /// <param name="timeProvider">The clock used for retention; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="maxEvents">How many events it holds at most; 1 or more.</param>
    /// <param name="processedRetention">How long processed events are kept; 72 hours when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEvents"/> is less than 1, or <paramref name="processedRetention"/> is negative.</exception>
    public InMemoryEventStore(TimeProvider? timeProvider = null, int maxEvents = DefaultMaxEvents, TimeSpan? processedRetention = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        TimeSpan retention = processedRetention ?? WebhookReceiverOptions.DefaultProcessedRetention;
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.Zero, nameof(processedRetention));
        _timeProvider = timeProvider ?? TimeProvider.System;
        MaxEvents = maxEvents;
        ProcessedRetention = retention;
    }

    /// <summary>Gets how many events the store holds at most.</summary>
    /// <value>1 or more; 100,000 by default.</value>
    public int MaxEvents { get; }

    /// <summary>Gets how long processed events are kept.</summary>
    /// <value>72 hours by default.</value>
    public TimeSpan ProcessedRetention { get; }

    /// <summary>Gets how many events are stored now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<EventAppendResult> AppendAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_events.TryGetValue(webhookEvent.Id, out Entry? existing))
            {
                return ValueTask.FromResult(existing.Event.Body.Span.SequenceEqual(webhookEvent.Body.Span)
                    ? EventAppendResult.Duplicate
                    : EventAppendResult.ConflictingDuplicate);
            }

            if (_events.Count >= MaxEvents)
            {
                PurgeExpired(_timeProvider.GetUtcNow());
                if (_events.Count >= MaxEvents)
                {
                    throw new WebhookStoreUnavailableException(
                        $"The in-memory event store is full ({MaxEvents.ToString(CultureInfo.InvariantCulture)} events); it never evicts an event inside its retention.");
                }
            }

            // The body is copied so that the caller's buffer (often pooled) can be reused.
            WebhookEvent stored = webhookEvent with { Body = webhookEvent.Body.ToArray() };
            _events.Add(stored.Id, new Entry(++_sequence, stored));
            return ValueTask.FromResult(EventAppendResult.Appended);
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookEvent?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_events.TryGetValue(id, out Entry? entry) ? entry.Event : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookEvent?> UpdateAsync(string id, WebhookEventUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_events.TryGetValue(id, out Entry? entry) || !update.Matches(entry.Event))
            {
                return ValueTask.FromResult<WebhookEvent?>(null);
            }

            entry.Event = update.ApplyTo(entry.Event);
            return ValueTask.FromResult<WebhookEvent?>(entry.Event);
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookEventPage> ListAsync(WebhookEventStatus? status, int limit, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        long after = 0;
        if (continuationToken is not null && !long.TryParse(continuationToken, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            throw new ArgumentException("The continuation token is not one this store issued.", nameof(continuationToken));
        }

        var matches = new List<Entry>();
        lock (_gate)
        {
            foreach (Entry entry in _events.Values)
            {
                if (entry.Sequence > after && (status is not { } s || entry.Event.Status == s))
                {
                    matches.Add(entry);
                }
            }
        }

        matches.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        int count = Math.Min(limit, matches.Count);
        var items = new WebhookEvent[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = matches[i].Event;
        }

        string? next = matches.Count > limit ? matches[count - 1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return ValueTask.FromResult(new WebhookEventPage(items, next));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> GetDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var due = new List<Entry>();
        lock (_gate)
        {
            PurgeExpired(now);
            foreach (Entry entry in _events.Values)
            {
                if (entry.Event.IsDueAt(now))
                {
                    due.Add(entry);
                }
            }
        }

        due.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        int count = Math.Min(limit, due.Count);
        var ids = new string[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = due[i].Event.Id;
        }

        return ValueTask.FromResult<IReadOnlyList<string>>(ids);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_events.Remove(id));
        }
    }

    private void PurgeExpired(DateTimeOffset now)
    {
        List<string>? expired = null;
        foreach (Entry entry in _events.Values)
        {
            if (entry.Event is { Status: WebhookEventStatus.Processed, CompletedAt: { } completed } && now - completed > ProcessedRetention)
            {
                (expired ??= []).Add(entry.Event.Id);
            }
        }

        if (expired is not null)
        {
            foreach (string id in expired)
            {
                _events.Remove(id);
            }
        }
    }

    private sealed class Entry(long sequence, WebhookEvent webhookEvent)
    {
        public long Sequence { get; } = sequence;

        public WebhookEvent Event { get; set; } = webhookEvent;
    }
}
