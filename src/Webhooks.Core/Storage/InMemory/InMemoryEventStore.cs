using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Storage;

/// <summary>
/// A thread-safe, bounded <see cref="IWebhookEventStore"/> in process memory: for development, tests and single-instance services that
/// accept losing stored events when the process ends. It implements the whole store contract with indexes: due work ordered
/// by due time (leases by expiry), processed events by completion time, every status by arrival, so no operation scans the
/// store. Bodies are never copied: the store keeps the memory the event owns.
/// </summary>
/// <remarks>
/// Processed events are kept for the retention span (72 hours by default, the senders' retry span) and then forgotten; dead
/// events are kept until replayed or deleted. Capacity is counted in events and in bytes (see <see cref="InMemoryStoreOptions"/>);
/// at capacity, appends throw <see cref="WebhookStoreUnavailableException"/> rather than evict anything.
/// </remarks>
public sealed partial class InMemoryEventStore : IWebhookEventStore, IKeepsBodyArrays
{
    /// <summary>What one stored event is counted as besides its body and headers: the entry, its indexes and its strings.</summary>
    internal const int EntryOverheadBytes = 512;

    private const long NotCompleted = long.MinValue;

    /// <summary>The handler name of a run a claim took before any handler began: whichever of the event's handlers runs first.</summary>
    private const string AnyHandler = "*";

    private readonly SlotTable _slots = new();

    // Body digests (GitHub's deduplication), in 64 dictionaries by the digest's first bits: each grows on its own, so growing
    // costs a pause of a 64th of rehashing them all.
    private readonly Dictionary<BodyDigest, int>[] _byDigest = NewDigestShards();

    // Due work: events queued now (appended, released, replayed) in arrival order, and events due at a time of their own (a
    // retry, or a lease's expiry) ordered by that time, then arrival. A queued item whose slot has changed since (another
    // stamp) is stale and dropped when it comes to the front; the timed ones are exactly the failed and processing events.
    private readonly ChunkedQueue<(int Slot, long Stamp)> _fresh = new();
    private readonly SlotHeap _timed = new();

    // Processed events in completion order, for retention.
    private readonly ChunkedQueue<(int Slot, long Stamp)> _retention = new();

    // Every event by arrival, and the statuses that are usually few (queued, processing, failed, dead) indexed by arrival;
    // processed events, the many, are listed from the arrival log.
    private readonly SequenceIndex _arrival = new();
    private readonly SequenceIndex?[] _byStatus = [new(), new(), null, new(), new()];

    private readonly int[] _counts = new int[5];

    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private long _sequence;
    private long _stamp;
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
                return _slots.Count;
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
    public ValueTask<WebhookAppendResult> AppendAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        cancellationToken.ThrowIfCancellationRequested();
        WebhookHeaders headers = webhookEvent.Headers as WebhookHeaders ?? WebhookHeaders.From(webhookEvent.Headers);
        long size = EntryOverheadBytes + webhookEvent.Body.Length + headers.ApproximateSize
            + (2L * (webhookEvent.Id.Length + webhookEvent.Source.Length + webhookEvent.EventType.Length + (webhookEvent.TraceParent?.Length ?? 0)));
        BodyDigest digest = webhookEvent.DeduplicateByBody ? BodyDigest.Of(webhookEvent.Body.Span) : default;
        lock (_gate)
        {
            long now = _timeProvider.GetUtcNow().UtcTicks;
            PurgeExpired(now);
            if (_slots.Find(webhookEvent.Id) is var found and >= 0)
            {
                return ValueTask.FromResult(_slots[found].Body.Span.SequenceEqual(webhookEvent.Body.Span)
                    ? WebhookAppendResult.Duplicate
                    : WebhookAppendResult.ConflictingDuplicate);
            }

            if (webhookEvent.DeduplicateByBody && DigestShard(digest).ContainsKey(digest))
            {
                // The same signed body under another id: a captured delivery sent again.
                return ValueTask.FromResult(WebhookAppendResult.Duplicate);
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

            int index = _slots.Add(webhookEvent.Id, webhookEvent.TraceParent, headers.Packed);
            ref Slot slot = ref _slots[index];
            slot.Sequence = ++_sequence;
            slot.Stamp = ++_stamp;
            slot.Size = size;
            slot.Body = webhookEvent.Body;
            slot.HeaderPairs = headers.Pairs;
            slot.HeaderOwnBytes = headers.OwnStringBytes;
            slot.Source = webhookEvent.Source;
            slot.EventType = webhookEvent.EventType;
            slot.ReceivedAtTicks = webhookEvent.ReceivedAt.Ticks;
            slot.ReceivedAtOffsetMinutes = (short)webhookEvent.ReceivedAt.TotalOffsetMinutes;
            slot.DeduplicateByBody = webhookEvent.DeduplicateByBody;
            slot.Status = WebhookEventStatus.Queued;
            slot.DueAt = now;
            slot.CompletedAt = NotCompleted;
            if (webhookEvent.DeduplicateByBody)
            {
                DigestShard(digest).Add(digest, index);
            }

            _arrival.Add(slot.Sequence, index);
            _byStatus[(int)WebhookEventStatus.Queued]!.Add(slot.Sequence, index);
            _counts[(int)WebhookEventStatus.Queued]++;
            _fresh.Enqueue((index, slot.Stamp));
            _intakeCount++;
            _intakeBytes += size;
            return ValueTask.FromResult(WebhookAppendResult.Appended);
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
            long now = _timeProvider.GetUtcNow().UtcTicks;
            PurgeExpired(now);
            int index;
            while ((claims?.Count ?? 0) < maxEvents && (index = NextDue(now)) >= 0)
            {
                ref Slot slot = ref _slots[index];

                // A processing event handed out again was interrupted: its lease ended before its attempt did.
                bool interrupted = slot.Status == WebhookEventStatus.Processing;
                SetStatus(index, ref slot, WebhookEventStatus.Processing);
                slot.Interruptions = interrupted ? slot.Interruptions + 1 : 0;
                slot.Attempts += slot.Interruptions == 0 || slot.Interruptions > IWebhookEventStore.MaxUncountedInterruptions ? 1 : 0;
                slot.Token = ++_lastToken;
                slot.DueAt = now + lease.Ticks;
                _timed.Set(index, slot.DueAt, slot.Sequence);

                // The claim takes the event's run unless an earlier claim's run still holds it (a stuck handler).
                bool holdsRun = slot.RunHandler is null || slot.RunUntil <= now;
                if (holdsRun)
                {
                    slot.RunHandler = AnyHandler;
                    slot.RunToken = slot.Token;
                    slot.RunUntil = slot.DueAt;
                }

                (claims ??= []).Add(new WebhookClaim(slot.ToEvent(), slot.Token, new DateTimeOffset(slot.DueAt, TimeSpan.Zero))
                {
                    HoldsRun = holdsRun,
                    SucceededHandlers = slot.Succeeded ?? (IReadOnlyList<string>)[],
                });
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
            int index = FindClaimed(id, token);
            if (index < 0)
            {
                return ValueTask.FromResult(false);
            }

            ref Slot slot = ref _slots[index];
            slot.DueAt = _timeProvider.GetUtcNow().UtcTicks + lease.Ticks;
            _timed.Set(index, slot.DueAt, slot.Sequence);
            if (slot.RunHandler is not null && slot.RunToken == token)
            {
                slot.RunUntil = slot.DueAt;
            }

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
            int index = FindClaimed(id, token);
            if (index < 0)
            {
                return ValueTask.FromResult(false);
            }

            ref Slot slot = ref _slots[index];
            SetStatus(index, ref slot, WebhookEventStatus.Processed);
            slot.CompletedAt = _timeProvider.GetUtcNow().UtcTicks;
            slot.LastError = null;
            slot.Unhandled = unhandled;
            slot.Succeeded = null;
            slot.RunHandler = null;
            _retention.Enqueue((index, slot.Stamp));
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
            int index = FindClaimed(id, token);
            if (index < 0)
            {
                return ValueTask.FromResult(false);
            }

            long now = _timeProvider.GetUtcNow().UtcTicks;
            ref Slot slot = ref _slots[index];
            slot.LastError = lastError;
            if (retryDelay is { } delay)
            {
                SetStatus(index, ref slot, WebhookEventStatus.Failed);
                slot.DueAt = now + (delay < TimeSpan.Zero ? 0 : delay.Ticks);
                _timed.Set(index, slot.DueAt, slot.Sequence);
            }
            else
            {
                SetStatus(index, ref slot, WebhookEventStatus.Dead);
                slot.CompletedAt = now;
                MoveToDeadAllowance(ref slot);
                _slots.KeepApart(index);
            }

            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(string id, long token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(GiveBack(id, token, TimeSpan.Zero));
    }

    /// <inheritdoc />
    public ValueTask<bool> DeferAsync(string id, long token, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(GiveBack(id, token, delay));
    }

    /// <inheritdoc />
    public ValueTask<WebhookHandlerBeginResult> BeginHandlerAsync(string id, long token, string handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(handler);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            int index = FindClaimed(id, token);
            if (index < 0)
            {
                return ValueTask.FromResult(WebhookHandlerBeginResult.LeaseLost);
            }

            ref Slot slot = ref _slots[index];
            if (slot.HasSucceeded(handler))
            {
                return ValueTask.FromResult(WebhookHandlerBeginResult.AlreadySucceeded);
            }

            if (slot.RunHandler is not null && slot.RunToken != token && slot.RunUntil > _timeProvider.GetUtcNow().UtcTicks)
            {
                return ValueTask.FromResult(WebhookHandlerBeginResult.Busy);
            }

            // Free, this claim's own, or held by an earlier claim whose hold has ended: taken over.
            slot.RunHandler = handler;
            slot.RunToken = token;
            slot.RunUntil = slot.DueAt;
            return ValueTask.FromResult(WebhookHandlerBeginResult.Started);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> EndHandlerAsync(string id, long token, string handler, bool succeeded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(handler);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            int index = FindRun(id, token);
            if (index < 0)
            {
                return ValueTask.FromResult(false);
            }

            ref Slot slot = ref _slots[index];
            slot.RunHandler = null;
            if (succeeded && !slot.HasSucceeded(handler))
            {
                slot.Succeeded = slot.Succeeded is { } before ? [.. before, handler] : [handler];
            }

            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewHandlerAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            int index = FindRun(id, token);
            if (index < 0)
            {
                return ValueTask.FromResult(false);
            }

            _slots[index].RunUntil = _timeProvider.GetUtcNow().UtcTicks + lease.Ticks;
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
            PurgeExpired(_timeProvider.GetUtcNow().UtcTicks);
            int index = _slots.Find(id);
            return ValueTask.FromResult(index >= 0 ? _slots[index].Summarize() : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookEvent?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            PurgeExpired(_timeProvider.GetUtcNow().UtcTicks);
            int index = _slots.Find(id);
            return ValueTask.FromResult(index >= 0 ? _slots[index].ToEvent() : null);
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
            PurgeExpired(_timeProvider.GetUtcNow().UtcTicks);
            long last = 0;
            foreach ((long sequence, int index) in status is { } s && _byStatus[(int)s] is { } set ? set.NewestFirst(before) : NewestFirstByArrival(status, before))
            {
                if (items.Count == limit)
                {
                    next = last.ToString(CultureInfo.InvariantCulture);
                    break;
                }

                items.Add(_slots[index].Summarize());
                last = sequence;
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
            long now = _timeProvider.GetUtcNow().UtcTicks;
            PurgeExpired(now);
            int due = PeekDue(now);
            return ValueTask.FromResult(new WebhookEventCounts
            {
                OldestDueAt = due >= 0 ? new DateTimeOffset(_slots[due].DueAt, TimeSpan.Zero) : null,
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
            long now = _timeProvider.GetUtcNow().UtcTicks;
            PurgeExpired(now);
            int index = _slots.Find(id);
            if (index < 0)
            {
                return ValueTask.FromResult(WebhookReplayResult.NotFound);
            }

            ref Slot slot = ref _slots[index];
            switch (slot.Status)
            {
                case WebhookEventStatus.Queued or WebhookEventStatus.Processing:
                    return ValueTask.FromResult(WebhookReplayResult.AlreadyPending);
                case WebhookEventStatus.Processed when !force:
                    return ValueTask.FromResult(WebhookReplayResult.AlreadyProcessed);
                case WebhookEventStatus.Dead:
                    MoveToIntake(ref slot);
                    break;
            }

            SetStatus(index, ref slot, WebhookEventStatus.Queued);
            slot.Attempts = 0;
            slot.LastError = null;
            slot.CompletedAt = NotCompleted;
            slot.Unhandled = false;
            slot.ReplayCount++;
            slot.Interruptions = 0;
            if (force)
            {
                slot.Generation++;
                slot.Succeeded = null;
            }

            slot.DueAt = now;
            _fresh.Enqueue((index, slot.Stamp));
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
            int index = _slots.Find(id);
            if (index < 0)
            {
                return ValueTask.FromResult(false);
            }

            Remove(index);
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>The events that arrived before <paramref name="before"/>, newest first, with <paramref name="status"/> or any.</summary>
    private IEnumerable<(long Sequence, int Slot)> NewestFirstByArrival(WebhookEventStatus? status, long before)
    {
        foreach ((long sequence, int index) in _arrival.NewestFirst(before))
        {
            if (status is not { } wanted || _slots[index].Status == wanted)
            {
                yield return (sequence, index);
            }
        }
    }

    /// <summary>The slot <see cref="NextDue"/> would hand out, left in the schedule; -1 when nothing is due.</summary>
    private int PeekDue(long now)
    {
        while (_fresh.TryPeek(out (int Slot, long Stamp) stale) && _slots[stale.Slot].Stamp != stale.Stamp)
        {
            _fresh.Dequeue();
        }

        int fresh = _fresh.TryPeek(out (int Slot, long Stamp) head) ? head.Slot : -1;
        int timed = _timed.TryPeek(out int slot, out long dueAt) && dueAt <= now ? slot : -1;
        return fresh >= 0 && (timed < 0 || ComesFirst(fresh, timed)) ? fresh : timed;
    }

    /// <summary>The next due slot, taken out of the schedule: the earlier of the oldest freshly queued one and the earliest timed one; -1 when nothing is due.</summary>
    private int NextDue(long now)
    {
        int next = PeekDue(now);
        if (next >= 0)
        {
            if (_fresh.TryPeek(out (int Slot, long Stamp) head) && head.Slot == next)
            {
                _fresh.Dequeue();
            }
            else
            {
                _timed.Remove(next);
            }
        }

        return next;
    }

    private bool ComesFirst(int fresh, int timed)
    {
        ref Slot a = ref _slots[fresh];
        ref Slot b = ref _slots[timed];
        return a.DueAt < b.DueAt || (a.DueAt == b.DueAt && a.Sequence <= b.Sequence);
    }

    private int FindClaimed(string id, long token)
    {
        int index = _slots.Find(id);
        return index >= 0 && _slots[index].Status == WebhookEventStatus.Processing && _slots[index].Token == token ? index : -1;
    }

    /// <summary>
    /// Gives a claimed event back, uncounted, letting go of the run it held: queued, due at once (with the freshly queued) or after
    /// <paramref name="delay"/> (with the timed events).
    /// </summary>
    private bool GiveBack(string id, long token, TimeSpan delay)
    {
        lock (_gate)
        {
            int index = FindClaimed(id, token);
            if (index < 0)
            {
                return false;
            }

            ref Slot slot = ref _slots[index];
            SetStatus(index, ref slot, WebhookEventStatus.Queued);
            slot.Attempts--;
            LetGoOfRun(ref slot, token);
            slot.DueAt = _timeProvider.GetUtcNow().UtcTicks + delay.Ticks;
            if (delay == TimeSpan.Zero)
            {
                _fresh.Enqueue((index, slot.Stamp));
            }
            else
            {
                _timed.Set(index, slot.DueAt, slot.Sequence);
            }

            return true;
        }
    }

    /// <summary>An attempt given back uncounted lets go of the run it held: its handler is not running (or its process is stopping).</summary>
    private static void LetGoOfRun(ref Slot slot, long token)
    {
        if (slot.RunHandler is not null && slot.RunToken == token)
        {
            slot.RunHandler = null;
        }
    }

    private int FindRun(string id, long token)
    {
        int index = _slots.Find(id);
        return index >= 0 && _slots[index].RunHandler is not null && _slots[index].RunToken == token ? index : -1;
    }

    /// <summary>
    /// Moves an event to a status and out of the timed schedule (the caller puts it back with its new time); every change
    /// gives it a new stamp, so the queue items that point at its earlier state go stale.
    /// </summary>
    private void SetStatus(int index, ref Slot slot, WebhookEventStatus status)
    {
        slot.Stamp = ++_stamp;
        _timed.Remove(index);
        if (slot.Status != status)
        {
            _byStatus[(int)slot.Status]?.Remove(slot.Sequence);
            _counts[(int)slot.Status]--;
            slot.Status = status;
            _byStatus[(int)status]?.Add(slot.Sequence, index);
            _counts[(int)status]++;
        }
    }

    private void MoveToDeadAllowance(ref Slot slot)
    {
        if (_deadCount < MaxDeadEvents && _deadBytes + slot.Size <= MaxDeadBytes)
        {
            slot.InDeadAllowance = true;
            _intakeCount--;
            _intakeBytes -= slot.Size;
            _deadCount++;
            _deadBytes += slot.Size;
        }
    }

    private void MoveToIntake(ref Slot slot)
    {
        if (slot.InDeadAllowance)
        {
            slot.InDeadAllowance = false;
            _deadCount--;
            _deadBytes -= slot.Size;
            _intakeCount++;
            _intakeBytes += slot.Size;
        }
    }

    private void Remove(int index)
    {
        ref Slot slot = ref _slots[index];
        if (slot.DeduplicateByBody)
        {
            // The digest is not kept with the event (32 bytes each); it is computed again, once, on the way out.
            BodyDigest digest = BodyDigest.Of(slot.Body.Span);
            if (DigestShard(digest).TryGetValue(digest, out int indexed) && indexed == index)
            {
                DigestShard(digest).Remove(digest);
            }
        }

        _byStatus[(int)slot.Status]?.Remove(slot.Sequence);
        _counts[(int)slot.Status]--;
        _timed.Remove(index);
        if (slot.InDeadAllowance)
        {
            _deadCount--;
            _deadBytes -= slot.Size;
        }
        else
        {
            _intakeCount--;
            _intakeBytes -= slot.Size;
        }

        // Freeing the slot clears its stamp: its queue items go stale.
        _arrival.Remove(slot.Sequence);
        _slots.Remove(index);
    }

    private void PurgeExpired(long now)
    {
        long retention = ProcessedRetention.Ticks;
        while (_retention.TryPeek(out (int Slot, long Stamp) oldest))
        {
            ref Slot slot = ref _slots[oldest.Slot];
            if (slot.Stamp != oldest.Stamp)
            {
                _retention.Dequeue(); // replayed or deleted since it was processed
            }
            else if (now - slot.CompletedAt > retention)
            {
                _retention.Dequeue();
                Remove(oldest.Slot);
            }
            else
            {
                return;
            }
        }
    }

    private static Dictionary<BodyDigest, int>[] NewDigestShards()
    {
        var shards = new Dictionary<BodyDigest, int>[64];
        for (int i = 0; i < shards.Length; i++)
        {
            shards[i] = [];
        }

        return shards;
    }

    private Dictionary<BodyDigest, int> DigestShard(BodyDigest digest) => _byDigest[(int)(digest.A & 63)];

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
