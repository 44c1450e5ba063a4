using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Storage;

namespace Webhooks.Idempotency;

/// <summary>
/// A thread-safe, bounded <see cref="IIdempotencyStore"/> in process memory, with leases and retention measured by a
/// <see cref="TimeProvider"/>. At capacity (after dropping expired keys) it throws <see cref="WebhookStoreUnavailableException"/>
/// rather than forget a key still inside its retention.
/// </summary>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    /// <summary>The default capacity.</summary>
    public const int DefaultMaxKeys = 200_000;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private long _lastToken;

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
    /// <value>1 or more; 200,000 by default.</value>
    public int MaxKeys { get; }

    /// <inheritdoc />
    public ValueTask<IdempotencyBeginResult> TryBeginAsync(string key, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out Entry? entry) && entry.ExpiresAt > now)
            {
                return ValueTask.FromResult(entry.Completed ? IdempotencyBeginResult.AlreadyProcessed : IdempotencyBeginResult.InProgress);
            }

            if (entry is null && _entries.Count >= MaxKeys)
            {
                PurgeExpired(now);
                if (_entries.Count >= MaxKeys)
                {
                    throw new WebhookStoreUnavailableException(
                        $"The in-memory idempotency store is full ({MaxKeys.ToString(CultureInfo.InvariantCulture)} keys); it never forgets a key inside its retention.");
                }
            }

            long token = ++_lastToken;
            _entries[key] = new Entry(token, now + lease, completed: false);
            return ValueTask.FromResult(IdempotencyBeginResult.Started(token));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(string key, long token, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (!HoldsLease(key, token, now))
            {
                return ValueTask.FromResult(false);
            }

            _entries[key] = new Entry(token, now + retention, completed: true);
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
            if (!HoldsLease(key, token, _timeProvider.GetUtcNow()))
            {
                return ValueTask.FromResult(false);
            }

            _entries.Remove(key);
            return ValueTask.FromResult(true);
        }
    }

    private bool HoldsLease(string key, long token, DateTimeOffset now) =>
        _entries.TryGetValue(key, out Entry? entry) && !entry.Completed && entry.Token == token && entry.ExpiresAt > now;

    private void PurgeExpired(DateTimeOffset now)
    {
        List<string>? expired = null;
        foreach (KeyValuePair<string, Entry> pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                (expired ??= []).Add(pair.Key);
            }
        }

        if (expired is not null)
        {
            foreach (string key in expired)
            {
                _entries.Remove(key);
            }
        }
    }

    private sealed class Entry(long token, DateTimeOffset expiresAt, bool completed)
    {
        public long Token { get; } = token;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public bool Completed { get; } = completed;
    }
}
