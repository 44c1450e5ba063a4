using System;
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

    private readonly KeyTable _keys = new();

    // Leased keys by expiry (exactly those), completed keys in completion order; a completed item whose slot holds another
    // token since is stale and dropped when it comes to the front.
    private readonly SlotHeap _leases = new();
    private readonly ChunkedQueue<(int Slot, long Token)> _completed = new();
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
                PurgeExpired(_timeProvider.GetUtcNow().UtcTicks);
                return _keys.Count;
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
            long now = _timeProvider.GetUtcNow().UtcTicks;
            PurgeExpired(now);
            int index = _keys.Find(key);
            if (index >= 0)
            {
                ref KeySlot existing = ref _keys[index];
                if (existing.ExpiresAt > now)
                {
                    return ValueTask.FromResult(existing.Completed ? IdempotencyBeginResult.AlreadyProcessed : IdempotencyBeginResult.InProgress);
                }

                // Completed with a shorter retention than keys completed before it: expired, though not yet purged.
                Forget(index);
            }

            if (_keys.Count >= MaxKeys)
            {
                PurgeAllExpired(now);
            }

            if (_keys.Count >= MaxKeys)
            {
                throw new WebhookStoreUnavailableException(
                    $"The in-memory idempotency store is full ({MaxKeys.ToString(CultureInfo.InvariantCulture)} keys); it never forgets a key inside its retention.");
            }

            index = _keys.Add(key);
            ref KeySlot slot = ref _keys[index];
            slot.Token = ++_lastToken;
            slot.ExpiresAt = now + lease.Ticks;
            _leases.Set(index, slot.ExpiresAt, slot.Token);
            Volatile.Write(ref _approximateCount, _keys.Count);
            return ValueTask.FromResult(IdempotencyBeginResult.Started(slot.Token));
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
            long now = _timeProvider.GetUtcNow().UtcTicks;
            PurgeExpired(now);
            int index = FindLeased(key, token);
            if (index < 0)
            {
                return ValueTask.FromResult(false);
            }

            _leases.Remove(index);
            _keys.Keep(index, retention);
            ref KeySlot slot = ref _keys[index];
            slot.Completed = true;
            slot.ExpiresAt = now + retention.Ticks;
            _completed.Enqueue((index, token));
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
            PurgeExpired(_timeProvider.GetUtcNow().UtcTicks);
            int index = FindLeased(key, token);
            if (index < 0)
            {
                return ValueTask.FromResult(false);
            }

            Forget(index);
            Volatile.Write(ref _approximateCount, _keys.Count);
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
            long now = _timeProvider.GetUtcNow().UtcTicks;
            PurgeExpired(now);
            if (_keys.Count + headroom > MaxKeys)
            {
                PurgeAllExpired(now);
            }

            // Never below the true count (only additions raise it, and they write it): the fast path above is safe.
            Volatile.Write(ref _approximateCount, _keys.Count);
            return _keys.Count + headroom > MaxKeys
                ? $"The in-memory idempotency store is full ({MaxKeys.ToString(CultureInfo.InvariantCulture)} keys); no delivery is accepted that could not be processed."
                : null;
        }
    }

    private int FindLeased(string key, long token)
    {
        int index = _keys.Find(key);
        return index >= 0 && !_keys[index].Completed && _keys[index].Token == token ? index : -1;
    }

    private void PurgeExpired(long now)
    {
        while (_leases.TryPeek(out int oldest, out long expiresAt) && expiresAt <= now)
        {
            Forget(oldest);
        }

        while (_completed.TryPeek(out (int Slot, long Token) done))
        {
            ref KeySlot slot = ref _keys[done.Slot];
            bool stale = slot.Token != done.Token;
            if (!stale && slot.ExpiresAt > now)
            {
                break;
            }

            _completed.Dequeue();
            if (!stale)
            {
                Forget(done.Slot);
            }
        }
    }

    /// <summary>At capacity only: also drops expired keys that wait behind a key completed with a longer retention.</summary>
    private void PurgeAllExpired(long now)
    {
        int count = _completed.Count;
        for (int i = 0; i < count; i++)
        {
            (int Slot, long Token) done = _completed.Dequeue();
            ref KeySlot slot = ref _keys[done.Slot];
            if (slot.Token != done.Token)
            {
                continue; // begun again, or freed, since
            }

            if (slot.ExpiresAt <= now)
            {
                Forget(done.Slot);
            }
            else
            {
                _completed.Enqueue(done);
            }
        }
    }

    /// <summary>Drops a key: out of the lease schedule (if leased) and out of the table; its completed item, if any, goes stale.</summary>
    private void Forget(int index)
    {
        _leases.Remove(index);
        _keys.Remove(index);
    }

    /// <summary>
    /// One key, a value in a chunk of slots: the key's characters are in a piece of a pinned page, so a key kept for days is
    /// no small object for the collector to copy and trace. A free slot has <see cref="Token"/> 0.
    /// </summary>
    private struct KeySlot : IFreeListed
    {
        /// <summary>The key's characters: a piece of a pinned page.</summary>
        public Memory<char> Key;
        public long Token;
        public long ExpiresAt;
        public int HashCode;

        public bool Completed;

        public int NextFree { readonly get; set; }
    }

    /// <summary>The key slots, in chunks allocated once and never copied, and their index.</summary>
    private sealed class KeyTable
    {
        private readonly SlotChunks<KeySlot> _slots = new();
        // Keys being worked on, in pages of their own (leases are short); completed keys move to pages of keys kept about as
        // long, by their retention rounded down to a power of two minutes: a page is let go of once its keys have expired,
        // and a key kept for a month never keeps alive a page of keys kept for three days.
        private readonly PinnedPages<char> _leased = new(4 * 1024);
        private readonly PinnedPages<char>?[] _kept = new PinnedPages<char>?[64];
        private readonly ShardedHashIndex _index = new();

        public int Count => _slots.Count;

        public ref KeySlot this[int index] => ref _slots[index];

        public int Find(string key)
        {
            int hash = string.GetHashCode(key.AsSpan(), StringComparison.Ordinal);
            int probe = -1;
            int index;
            while ((index = _index.Next(hash, ref probe)) >= 0 && !key.AsSpan().SequenceEqual(_slots[index].Key.Span))
            {
            }

            return index;
        }

        /// <summary>Takes a free slot for a key that is not indexed, indexes it, and returns its number; the caller sets a non-zero token.</summary>
        public int Add(string key)
        {
            int index = _slots.Take();
            ref KeySlot slot = ref _slots[index];
            slot.Key = _leased.Take(key.Length);
            key.AsSpan().CopyTo(slot.Key.Span);
            slot.HashCode = string.GetHashCode(key.AsSpan(), StringComparison.Ordinal);
            _index.Add(slot.HashCode, index);
            return index;
        }

        public void Remove(int index)
        {
            _index.Remove(_slots[index].HashCode, index);
            _slots.Free(index);
        }

        /// <summary>Moves a completed key's characters to the pages of keys kept about as long as <paramref name="retention"/>.</summary>
        public void Keep(int index, TimeSpan retention)
        {
            int retentionClass = System.Numerics.BitOperations.Log2((ulong)Math.Max(1, retention.Ticks / TimeSpan.TicksPerMinute));
            PinnedPages<char> pages = _kept[retentionClass] ??= new PinnedPages<char>(4 * 1024);
            ref KeySlot slot = ref _slots[index];
            Memory<char> kept = pages.Take(slot.Key.Length);
            slot.Key.Span.CopyTo(kept.Span);
            slot.Key = kept;
        }
    }
}
