using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Storage;

namespace Webhooks.Idempotency;

/// <summary>
/// A thread-safe, bounded <see cref="IIdempotencyStore"/> in process memory, with leases and retention measured by a
/// <see cref="TimeProvider"/>. Leased keys are indexed by expiry and completed keys kept in completion order, so expired keys are
/// dropped without scanning. At capacity it throws <see cref="WebhookStoreUnavailableException"/> rather than forget a key still
/// inside its retention.
/// </summary>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    /// <summary>The default capacity.</summary>
    public const int DefaultMaxKeys = InMemoryStoreOptions.DefaultMaxIdempotencyKeys;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SortedSet<Entry> _leases = new(ExpiryOrder.Instance);
    private readonly Queue<Entry> _completed = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private long _lastToken;
    private int _approximateCount;

    /// <summary>Creates a store.</summary>
    /// <param name="timeProvider">The clock for leases and retention; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="maxKeys">How many keys it holds at most; 1 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxKeys"/> is less than 1.</exception>
    public InMemoryIdempotencyStore(TimeProvider? timeProvider = null, int maxKeys = DefaultMaxKeys)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        _timeProvider = timeProvider ?? TimeProvider.System;
        MaxKeys = maxKeys;
    }

    /// <summary>Gets how many keys the store holds at most.</summary>
    /// <value>1 or more; 400,000 by default.</value>
    public int MaxKeys { get; }

    /// <summary>Gets how many keys are held now (leased or completed and not yet expired).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                PurgeExpired(_timeProvider.GetUtcNow());
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IdempotencyBeginResult> TryBeginAsync(string key, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            PurgeExpired(now);
            if (_entries.TryGetValue(key, out Entry? entry))
            {
                if (entry.ExpiresAt > now)
                {
                    return ValueTask.FromResult(entry.Completed ? IdempotencyBeginResult.AlreadyProcessed : IdempotencyBeginResult.InProgress);
                }

                // Completed with a shorter retention than keys completed before it: expired, though not yet purged.
                _entries.Remove(key);
            }

            if (_entries.Count >= MaxKeys)
            {
                PurgeAllExpired(now);
            }

            if (_entries.Count >= MaxKeys)
            {
                throw new WebhookStoreUnavailableException(
                    $"The in-memory idempotency store is full ({MaxKeys.ToString(CultureInfo.InvariantCulture)} keys); it never forgets a key inside its retention.");
            }

            entry = new Entry(key, ++_lastToken) { ExpiresAt = now + lease };
            _entries.Add(key, entry);
            _leases.Add(entry);
            Volatile.Write(ref _approximateCount, _entries.Count);
            return ValueTask.FromResult(IdempotencyBeginResult.Started(entry.Token));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(string key, long token, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            PurgeExpired(now);
            if (!HoldsLease(key, token, out Entry? entry))
            {
                return ValueTask.FromResult(false);
            }

            _leases.Remove(entry);
            entry.Completed = true;
            entry.ExpiresAt = now + retention;
            _completed.Enqueue(entry);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(string key, long token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            PurgeExpired(_timeProvider.GetUtcNow());
            if (!HoldsLease(key, token, out Entry? entry))
            {
                return ValueTask.FromResult(false);
            }

            _entries.Remove(key);
            _leases.Remove(entry);
            Volatile.Write(ref _approximateCount, _entries.Count);
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>Names why new work should be refused because this store is (nearly) full, or returns <see langword="null"/>.</summary>
    /// <param name="headroom">How many free keys must remain.</param>
    internal string? FullReason(int headroom)
    {
        // Checked on every append: far from capacity, an approximate count read without the lock is enough.
        if (Volatile.Read(ref _approximateCount) + headroom <= MaxKeys / 2)
        {
            return null;
        }

        lock (_gate)
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            PurgeExpired(now);
            if (_entries.Count + headroom > MaxKeys)
            {
                PurgeAllExpired(now);
            }

            // Never below the true count (only additions raise it, and they write it): the fast path above is safe.
            Volatile.Write(ref _approximateCount, _entries.Count);
            return _entries.Count + headroom > MaxKeys
                ? $"The in-memory idempotency store is full ({MaxKeys.ToString(CultureInfo.InvariantCulture)} keys); no delivery is accepted that could not be processed."
                : null;
        }
    }

    private bool HoldsLease(string key, long token, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Entry? entry) =>
        _entries.TryGetValue(key, out entry) && !entry.Completed && entry.Token == token;

    private void PurgeExpired(DateTimeOffset now)
    {
        while (_leases.Min is { } oldest && oldest.ExpiresAt <= now)
        {
            _leases.Remove(oldest);
            _entries.Remove(oldest.Key);
        }

        while (_completed.TryPeek(out Entry? done) && done.ExpiresAt <= now)
        {
            _completed.Dequeue();
            Forget(done);
        }
    }

    /// <summary>At capacity only: also drops expired keys that wait behind a key completed with a longer retention.</summary>
    private void PurgeAllExpired(DateTimeOffset now)
    {
        int count = _completed.Count;
        for (int i = 0; i < count; i++)
        {
            Entry done = _completed.Dequeue();
            if (done.ExpiresAt <= now)
            {
                Forget(done);
            }
            else
            {
                _completed.Enqueue(done);
            }
        }
    }

    private void Forget(Entry done)
    {
        // The key may have been begun again after this entry expired on lookup: remove only this entry.
        if (_entries.TryGetValue(done.Key, out Entry? current) && ReferenceEquals(current, done))
        {
            _entries.Remove(done.Key);
        }
    }

    private sealed class Entry(string key, long token)
    {
        public string Key { get; } = key;

        public long Token { get; } = token;

        public DateTimeOffset ExpiresAt { get; set; }

        public bool Completed { get; set; }
    }

    private sealed class ExpiryOrder : IComparer<Entry>
    {
        public static readonly ExpiryOrder Instance = new();

        public int Compare(Entry? x, Entry? y)
        {
            int byTime = x!.ExpiresAt.CompareTo(y!.ExpiresAt);
            return byTime != 0 ? byTime : x.Token.CompareTo(y.Token);
        }
    }
}
