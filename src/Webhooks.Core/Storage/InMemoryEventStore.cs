using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Storage;

/// <summary>
/// A thread-safe, bounded <see cref="IEventStore"/> in process memory: for development, tests and single-instance services that
/// accept losing stored events when the process ends. It implements the whole store contract with indexes: due work ordered
/// by due time (leases by expiry), processed events by completion time, every status by arrival, so no operation scans the
/// store. Bodies are never copied: the store keeps the memory the event owns.
/// </summary>
/// <remarks>
/// Processed events are kept for the retention span (72 hours by default, the senders' retry span) and then forgotten; dead
/// events are kept until replayed or deleted. Capacity is counted in events and in bytes (see <see cref="InMemoryStoreOptions"/>);
/// at capacity, appends throw <see cref="WebhookStoreUnavailableException"/> rather than evict anything.
/// </remarks>
public sealed partial class InMemoryEventStore : IEventStore
{
    /// <summary>What one stored event is counted as besides its body and headers: the entry, its indexes and its strings.</summary>
    internal const int EntryOverheadBytes = 512;

    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<BodyDigest, Entry> _byDigest = [];

    // Due work: events queued now (appended, released, replayed) in arrival order, and events due at a time of their own (a
    // retry, or a lease's expiry) ordered by that time. Queue items whose entry has changed since are skipped when met.
    private readonly Queue<(Entry Entry, int Version)> _fresh = new();
    private readonly SortedSet<Entry> _timed = new(ScheduleOrder.Instance);

    // Processed events in completion order, for retention.
    private readonly Queue<(Entry Entry, int Version)> _retention = new();

    // Every event in arrival order (removed ones are skipped and compacted away), and the statuses that are usually few
    // (queued, processing, failed, dead) indexed by arrival; processed events, the many, are listed from the arrival list.
    private readonly List<Entry> _arrival = [];
    private readonly SortedSet<Entry>?[] _byStatus =
    [
        new(ArrivalOrder.Instance), new(ArrivalOrder.Instance), null, new(ArrivalOrder.Instance), new(ArrivalOrder.Instance),
    ];

    private readonly int[] _counts = new int[5];
    private int _removedFromArrival;

    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private long _sequence;
    private long _lastToken;
    private int _intakeCount;
    private long _intakeBytes;
    private int _deadCount;
    private long _deadBytes;

    /// <summary>Creates a store.</summary>
    /// <param name="timeProvider">The store's clock, for due times, leases and retention; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="limits">The capacity; the defaults of <see cref="InMemoryStoreOptions"/> when <see langword="null"/>.</param>
    /// <param name="processedRetention">How long processed events are remembered; 72 hours when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is below its range, or <paramref name="processedRetention"/> is negative.</exception>
    public InMemoryEventStore(TimeProvider? timeProvider = null, InMemoryStoreOptions? limits = null, TimeSpan? processedRetention = null)
    {
        limits ??= new InMemoryStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxEvents, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxBytes, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegative(limits.MaxDeadEvents, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegative(limits.MaxDeadBytes, nameof(limits));
        TimeSpan retention = processedRetention ?? WebhookReceiverOptions.DefaultProcessedRetention;
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.Zero, nameof(processedRetention));
        _timeProvider = timeProvider ?? TimeProvider.System;
        MaxEvents = limits.MaxEvents;
        MaxBytes = limits.MaxBytes;
        MaxDeadEvents = limits.MaxDeadEvents;
        MaxDeadBytes = limits.MaxDeadBytes;
        ProcessedRetention = retention;
    }

    /// <summary>Gets how many events the store holds besides the dead-letter allowance.</summary>
    public int MaxEvents { get; }

    /// <summary>Gets how many bytes those events may take.</summary>
    public long MaxBytes { get; }

    /// <summary>Gets how many dead events are held beside <see cref="MaxEvents"/>.</summary>
    public int MaxDeadEvents { get; }

    /// <summary>Gets how many bytes dead events may take beside <see cref="MaxBytes"/>.</summary>
    public long MaxDeadBytes { get; }

    /// <summary>Gets how long processed events are remembered.</summary>
    public TimeSpan ProcessedRetention { get; }

    /// <summary>Gets how many events are stored now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Gets how many bytes the stored events are counted as now.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _intakeBytes + _deadBytes;
            }
        }
    }

    /// <summary>Gets or sets a check run before each append that names a reason to refuse it (another store is full), or <see langword="null"/>.</summary>
    internal Func<string?>? AppendGuard { get; set; }

    /// <inheritdoc />
    public ValueTask<EventAppendResult> AppendAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        cancellationToken.ThrowIfCancellationRequested();
        long size = SizeOf(webhookEvent);
        BodyDigest digest = webhookEvent.DeduplicateByBody ? BodyDigest.Of(webhookEvent.Body.Span) : default;
        lock (_gate)
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            PurgeExpired(now);
            if (_byId.TryGetValue(webhookEvent.Id, out Entry? existing))
            {
                return ValueTask.FromResult(existing.Event.Body.Span.SequenceEqual(webhookEvent.Body.Span)
                    ? EventAppendResult.Duplicate
                    : EventAppendResult.ConflictingDuplicate);
            }

            if (webhookEvent.DeduplicateByBody && _byDigest.ContainsKey(digest))
            {
                // The same signed body under another id: a captured delivery sent again.
                return ValueTask.FromResult(EventAppendResult.Duplicate);
            }

            if (_intakeCount >= MaxEvents || _intakeBytes + size > MaxBytes)
            {
                throw new WebhookStoreUnavailableException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The in-memory event store is full ({_intakeCount} events, {_intakeBytes} bytes; limits {MaxEvents} events, {MaxBytes} bytes); it never evicts an event inside its retention."));
            }

            if (AppendGuard?.Invoke() is { } reason)
            {
                throw new WebhookStoreUnavailableException(reason);
            }

            WebhookEvent stored = webhookEvent.Attempts == 0 && webhookEvent.ReplayCount == 0 && webhookEvent.Generation == 0
                ? webhookEvent
                : webhookEvent with { Attempts = 0, ReplayCount = 0, Generation = 0 };
            var entry = new Entry(stored, ++_sequence, size) { DueAt = now };
            _byId.Add(entry.Event.Id, entry);
            if (stored.DeduplicateByBody)
            {
                _byDigest.Add(digest, entry);
            }

            _arrival.Add(entry);
            _byStatus[(int)WebhookEventStatus.Queued]!.Add(entry);
            _counts[(int)WebhookEventStatus.Queued]++;
            _fresh.Enqueue((entry, entry.Version));
            _intakeCount++;
            _intakeBytes += size;
            return ValueTask.FromResult(EventAppendResult.Appended);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<WebhookClaim>> ClaimAsync(int maxEvents, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        List<WebhookClaim>? claims = null;
        lock (_gate)
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            PurgeExpired(now);
            while ((claims?.Count ?? 0) < maxEvents && NextDue(now) is { } entry)
            {
                SetStatus(entry, WebhookEventStatus.Processing);
                entry.Attempts++;
                entry.Token = ++_lastToken;
                entry.DueAt = now + lease;
                _timed.Add(entry);
                (claims ??= []).Add(new WebhookClaim(entry.Snapshot(), entry.Token, entry.DueAt));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<WebhookClaim>>(claims ?? (IReadOnlyList<WebhookClaim>)[]);
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!TryGetClaimed(id, token, out Entry? entry))
            {
                return ValueTask.FromResult(false);
            }

            _timed.Remove(entry);
            entry.DueAt = _timeProvider.GetUtcNow() + lease;
            _timed.Add(entry);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(string id, long token, bool unhandled, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!TryGetClaimed(id, token, out Entry? entry))
            {
                return ValueTask.FromResult(false);
            }

            _timed.Remove(entry);
            SetStatus(entry, WebhookEventStatus.Processed);
            entry.CompletedAt = _timeProvider.GetUtcNow();
            entry.LastError = null;
            entry.Unhandled = unhandled;
            _retention.Enqueue((entry, entry.Version));
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> FailAsync(string id, long token, string lastError, TimeSpan? retryDelay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(lastError);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!TryGetClaimed(id, token, out Entry? entry))
            {
                return ValueTask.FromResult(false);
            }

            DateTimeOffset now = _timeProvider.GetUtcNow();
            _timed.Remove(entry);
            entry.LastError = lastError;
            if (retryDelay is { } delay)
            {
                SetStatus(entry, WebhookEventStatus.Failed);
                entry.DueAt = now + (delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
                _timed.Add(entry);
            }
            else
            {
                SetStatus(entry, WebhookEventStatus.Dead);
                entry.CompletedAt = now;
                MoveToDeadAllowance(entry);
            }

            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(string id, long token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!TryGetClaimed(id, token, out Entry? entry))
            {
                return ValueTask.FromResult(false);
            }

            _timed.Remove(entry);
            SetStatus(entry, WebhookEventStatus.Queued);
            entry.Attempts--;
            entry.DueAt = _timeProvider.GetUtcNow();
            _fresh.Enqueue((entry, entry.Version));
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookEventSummary?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            PurgeExpired(_timeProvider.GetUtcNow());
            return ValueTask.FromResult(_byId.TryGetValue(id, out Entry? entry) ? entry.Summarize() : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookEvent?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            PurgeExpired(_timeProvider.GetUtcNow());
            return ValueTask.FromResult(_byId.TryGetValue(id, out Entry? entry) ? entry.Snapshot() : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookEventPage> ListAsync(WebhookEventStatus? status, int limit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        long before = long.MaxValue;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out before) || before < 1))
        {
            throw new ArgumentException("The cursor is not one this store issued.", nameof(cursor));
        }

        var items = new List<WebhookEventSummary>(Math.Min(limit, 64));
        string? next = null;
        lock (_gate)
        {
            PurgeExpired(_timeProvider.GetUtcNow());
            long last = 0;
            foreach (Entry entry in status is { } s && _byStatus[(int)s] is { } index ? NewestFirst(index, before) : NewestFirstByArrival(status, before))
            {
                if (items.Count == limit)
                {
                    next = last.ToString(CultureInfo.InvariantCulture);
                    break;
                }

                items.Add(entry.Summarize());
                last = entry.Sequence;
            }
        }

        return ValueTask.FromResult(new WebhookEventPage(items, next));
    }

    /// <inheritdoc />
    public ValueTask<WebhookEventCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            PurgeExpired(now);
            return ValueTask.FromResult(new WebhookEventCounts
            {
                OldestDueAt = PeekDue(now)?.DueAt,
                Queued = _counts[(int)WebhookEventStatus.Queued],
                Processing = _counts[(int)WebhookEventStatus.Processing],
                Processed = _counts[(int)WebhookEventStatus.Processed],
                Failed = _counts[(int)WebhookEventStatus.Failed],
                Dead = _counts[(int)WebhookEventStatus.Dead],
            });
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookReplayResult> ReplayAsync(string id, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            PurgeExpired(now);
            if (!_byId.TryGetValue(id, out Entry? entry))
            {
                return ValueTask.FromResult(WebhookReplayResult.NotFound);
            }

            switch (entry.Status)
            {
                case WebhookEventStatus.Queued or WebhookEventStatus.Processing:
                    return ValueTask.FromResult(WebhookReplayResult.AlreadyPending);
                case WebhookEventStatus.Processed when !force:
                    return ValueTask.FromResult(WebhookReplayResult.AlreadyProcessed);
                case WebhookEventStatus.Failed:
                    _timed.Remove(entry);
                    break;
                case WebhookEventStatus.Dead:
                    MoveToIntake(entry);
                    break;
            }

            SetStatus(entry, WebhookEventStatus.Queued);
            entry.Attempts = 0;
            entry.LastError = null;
            entry.CompletedAt = null;
            entry.Unhandled = false;
            entry.ReplayCount++;
            if (force)
            {
                entry.Generation++;
            }

            entry.DueAt = now;
            _fresh.Enqueue((entry, entry.Version));
            return ValueTask.FromResult(WebhookReplayResult.Queued);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out Entry? entry))
            {
                return ValueTask.FromResult(false);
            }

            Remove(entry);
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>The entries of one status that arrived before <paramref name="before"/>, newest first.</summary>
    private static IEnumerable<Entry> NewestFirst(SortedSet<Entry> set, long before)
    {
        if (before <= 1 || set.Count == 0)
        {
            return [];
        }

        return (before == long.MaxValue ? set : set.GetViewBetween(ArrivalOrder.Probe(0), ArrivalOrder.Probe(before - 1))).Reverse();
    }

    /// <summary>The entries that arrived before <paramref name="before"/>, newest first, with <paramref name="status"/> or any.</summary>
    private IEnumerable<Entry> NewestFirstByArrival(WebhookEventStatus? status, long before)
    {
        // The arrival list is ordered by sequence: find where "before" falls, then walk back.
        int low = 0;
        int high = _arrival.Count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (_arrival[middle].Sequence < before)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        for (int i = low - 1; i >= 0; i--)
        {
            Entry entry = _arrival[i];
            if (!entry.Removed && (status is not { } wanted || entry.Status == wanted))
            {
                yield return entry;
            }
        }
    }

    /// <summary>The entry <see cref="NextDue"/> would hand out, left in the schedule.</summary>
    private Entry? PeekDue(DateTimeOffset now)
    {
        while (_fresh.TryPeek(out (Entry Entry, int Version) head) && (head.Entry.Removed || head.Entry.Version != head.Version))
        {
            _fresh.Dequeue();
        }

        Entry? fresh = _fresh.Count > 0 ? _fresh.Peek().Entry : null;
        Entry? timed = _timed.Min is { } min && min.DueAt <= now ? min : null;
        return fresh is not null && (timed is null || ScheduleOrder.Instance.Compare(fresh, timed) <= 0) ? fresh : timed;
    }

    /// <summary>The next due entry, taken out of the schedule: the earlier of the oldest freshly queued one and the earliest timed one.</summary>
    private Entry? NextDue(DateTimeOffset now)
    {
        while (_fresh.TryPeek(out (Entry Entry, int Version) head) && (head.Entry.Removed || head.Entry.Version != head.Version))
        {
            _fresh.Dequeue();
        }

        Entry? fresh = _fresh.Count > 0 ? _fresh.Peek().Entry : null;
        Entry? timed = _timed.Min is { } min && min.DueAt <= now ? min : null;
        if (fresh is not null && (timed is null || ScheduleOrder.Instance.Compare(fresh, timed) <= 0))
        {
            _fresh.Dequeue();
            return fresh;
        }

        if (timed is not null)
        {
            _timed.Remove(timed);
        }

        return timed;
    }

    private static long SizeOf(WebhookEvent webhookEvent)
    {
        long size = EntryOverheadBytes + webhookEvent.Body.Length + (2L * (webhookEvent.Id.Length + webhookEvent.Source.Length + webhookEvent.EventType.Length));
        if (webhookEvent.Headers is WebhookHeaders compact)
        {
            return size + compact.ApproximateSize;
        }

        foreach (KeyValuePair<string, string> header in webhookEvent.Headers)
        {
            size += 2L * (header.Key.Length + header.Value.Length) + 32;
        }

        return size;
    }

    private bool TryGetClaimed(string id, long token, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Entry? entry) =>
        _byId.TryGetValue(id, out entry) && entry.Status == WebhookEventStatus.Processing && entry.Token == token;

    /// <summary>Moves an entry to a status; every change makes the queue items that point at its earlier state stale.</summary>
    private void SetStatus(Entry entry, WebhookEventStatus status)
    {
        entry.Version++;
        if (entry.Status != status)
        {
            _byStatus[(int)entry.Status]?.Remove(entry);
            _counts[(int)entry.Status]--;
            entry.Status = status;
            _byStatus[(int)status]?.Add(entry);
            _counts[(int)status]++;
        }
    }

    private void MoveToDeadAllowance(Entry entry)
    {
        if (_deadCount < MaxDeadEvents && _deadBytes + entry.Size <= MaxDeadBytes)
        {
            entry.InDeadAllowance = true;
            _intakeCount--;
            _intakeBytes -= entry.Size;
            _deadCount++;
            _deadBytes += entry.Size;
        }
    }

    private void MoveToIntake(Entry entry)
    {
        if (entry.InDeadAllowance)
        {
            entry.InDeadAllowance = false;
            _deadCount--;
            _deadBytes -= entry.Size;
            _intakeCount++;
            _intakeBytes += entry.Size;
        }
    }

    private void Remove(Entry entry)
    {
        _byId.Remove(entry.Event.Id);
        if (entry.Event.DeduplicateByBody)
        {
            // The digest is not kept with the entry (32 bytes each); it is computed again, once, on the way out.
            BodyDigest digest = BodyDigest.Of(entry.Event.Body.Span);
            if (_byDigest.TryGetValue(digest, out Entry? indexed) && ReferenceEquals(indexed, entry))
            {
                _byDigest.Remove(digest);
            }
        }

        _byStatus[(int)entry.Status]?.Remove(entry);
        _counts[(int)entry.Status]--;
        if (entry.Status is WebhookEventStatus.Processing or WebhookEventStatus.Failed)
        {
            _timed.Remove(entry);
        }

        entry.Forget();
        if (++_removedFromArrival > 1024 && _removedFromArrival > _arrival.Count / 2)
        {
            // Amortised: at most once per as many removals as there are live entries.
            _arrival.RemoveAll(static e => e.Removed);
            _removedFromArrival = 0;
        }

        if (entry.InDeadAllowance)
        {
            _deadCount--;
            _deadBytes -= entry.Size;
        }
        else
        {
            _intakeCount--;
            _intakeBytes -= entry.Size;
        }
    }

    private void PurgeExpired(DateTimeOffset now)
    {
        while (_retention.TryPeek(out (Entry Entry, int Version) oldest))
        {
            if (oldest.Entry.Removed || oldest.Entry.Version != oldest.Version)
            {
                _retention.Dequeue(); // replayed or deleted since it was processed
            }
            else if (now - oldest.Entry.CompletedAt!.Value > ProcessedRetention)
            {
                _retention.Dequeue();
                Remove(oldest.Entry);
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>The SHA-256 digest of a body, as a dictionary key.</summary>
    private readonly record struct BodyDigest(ulong A, ulong B, ulong C, ulong D)
    {
        public static BodyDigest Of(ReadOnlySpan<byte> body)
        {
            Span<byte> hash = stackalloc byte[32];
            System.Security.Cryptography.SHA256.HashData(body, hash);
            return new BodyDigest(
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]));
        }
    }
}
