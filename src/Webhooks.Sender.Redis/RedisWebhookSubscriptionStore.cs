using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Webhooks.Redis;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Redis;

/// <summary>
/// Subscriptions in Redis, shared by every sending process. Each subscription is a hash (<c>v</c> its version, <c>j</c> its JSON)
/// and an index sorted by id; every key carries one hash tag, so each script touches one slot of a Redis Cluster. Replacing is a
/// script that compares the version: two writers never overwrite each other's change unseen.
/// </summary>
/// <remarks>
/// Every change also counts up a version (<c>&lt;prefix&gt;{subscriptions}:ver</c>) in the same script. Finding the subscriptions of
/// an event type, on every publish, reads that version and reads every subscription again only when it has moved, so a change made
/// by any process is seen by the next publish everywhere. Each process keeps them all in memory: meant for up to some thousands of
/// subscriptions.
/// </remarks>
public sealed class RedisWebhookSubscriptionStore : IWebhookSubscriptionStore
{
    private static readonly RedisScript AddScript = new("""
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'v', ARGV[2], 'j', ARGV[3])
        redis.call('ZADD', KEYS[2], 0, ARGV[1])
        redis.call('INCR', KEYS[3])
        return 1
        """);

    private static readonly RedisScript ReplaceScript = new("""
        local v = redis.call('HGET', KEYS[1], 'v')
        if not v or v ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], 'v', ARGV[2], 'j', ARGV[3])
        redis.call('INCR', KEYS[3])
        return 1
        """);

    private static readonly RedisScript RemoveScript = new("""
        redis.call('ZREM', KEYS[2], ARGV[1])
        local removed = redis.call('DEL', KEYS[1])
        if removed == 1 then redis.call('INCR', KEYS[3]) end
        return removed
        """);

    private readonly IConnectionMultiplexer _connection;
    private readonly string _prefix;
    private readonly RedisKey _index;
    private readonly RedisKey _version;
    private Snapshot? _snapshot;

    /// <summary>Creates the store.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="keyPrefix">The prefix of its keys; <c>webhooks:</c> by default. Every key is <c>&lt;prefix&gt;{subscriptions}:…</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="keyPrefix"/> holds a brace, which would change the hash tag.</exception>
    public RedisWebhookSubscriptionStore(IConnectionMultiplexer connection, string keyPrefix = "webhooks:")
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        if (keyPrefix.Contains('{', StringComparison.Ordinal) || keyPrefix.Contains('}', StringComparison.Ordinal))
        {
            throw new ArgumentException("The key prefix must not hold '{' or '}': the keys carry their own hash tag.", nameof(keyPrefix));
        }

        _connection = connection;
        _prefix = keyPrefix + "{subscriptions}:s:";
        _index = keyPrefix + "{subscriptions}:ids";
        _version = keyPrefix + "{subscriptions}:ver";
    }

    /// <inheritdoc />
    public async ValueTask<bool> AddAsync(WebhookSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        RedisResult added = await RunAsync(AddScript, subscription.Id, [subscription.Id, subscription.Version, Serialize(subscription)], cancellationToken).ConfigureAwait(false);
        return (int)added == 1;
    }

    /// <inheritdoc />
    public async ValueTask<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        RedisValue json = await CallAsync(db => db.HashGetAsync(Key(id), "j"), cancellationToken).ConfigureAwait(false);
        return json.IsNull ? null : Deserialize(json);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReplaceAsync(WebhookSubscription subscription, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        RedisResult replaced = await RunAsync(ReplaceScript, subscription.Id, [expectedVersion, subscription.Version, Serialize(subscription)], cancellationToken).ConfigureAwait(false);
        return (int)replaced == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        RedisResult removed = await RunAsync(RemoveScript, id, [id], cancellationToken).ConfigureAwait(false);
        return (int)removed == 1;
    }

    /// <inheritdoc />
    public async ValueTask<WebhookSubscriptionPage> ListAsync(string? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        RedisValue[] ids = await CallAsync(db => db.SortedSetRangeByValueAsync(
            _index, after is null ? default : after, default, after is null ? Exclude.None : Exclude.Start, Order.Ascending, 0, limit + 1), cancellationToken).ConfigureAwait(false);
        bool more = ids.Length > limit;
        List<WebhookSubscription> page = await ReadAsync(ids, more ? limit : ids.Length, cancellationToken).ConfigureAwait(false);
        return new WebhookSubscriptionPage(page, more && page.Count > 0 ? page[^1].Id : null);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WebhookSubscription>> FindActiveAsync(string eventType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventType);

        // The version is read before the subscriptions: what is read is then at least as new as it, and while it stays the
        // same nothing has changed since.
        long version = (long?)await CallAsync(db => db.StringGetAsync(_version), cancellationToken).ConfigureAwait(false) ?? 0;
        Snapshot? snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || snapshot.Version != version)
        {
            RedisValue[] ids = await CallAsync(db => db.SortedSetRangeByValueAsync(_index), cancellationToken).ConfigureAwait(false);
            snapshot = new Snapshot(version, await ReadAsync(ids, ids.Length, cancellationToken).ConfigureAwait(false));
            Volatile.Write(ref _snapshot, snapshot);
        }

        var found = new List<WebhookSubscription>();
        foreach (WebhookSubscription subscription in snapshot.All)
        {
            if (subscription.IsActive && subscription.Matches(eventType))
            {
                found.Add(subscription);
            }
        }

        return found;
    }

    private async Task<List<WebhookSubscription>> ReadAsync(RedisValue[] ids, int count, CancellationToken cancellationToken)
    {
        RedisValue[] values = await CallAsync(
            db =>
            {
                var reads = new Task<RedisValue>[count];
                for (int i = 0; i < count; i++)
                {
                    reads[i] = db.HashGetAsync(Key(ids[i]!), "j");
                }

                return Task.WhenAll(reads);
            },
            cancellationToken).ConfigureAwait(false);

        var found = new List<WebhookSubscription>(count);
        foreach (RedisValue json in values)
        {
            if (!json.IsNull)
            {
                found.Add(Deserialize(json));
            }
        }

        return found;
    }

    private RedisKey Key(string id) => _prefix + id;

    private Task<RedisResult> RunAsync(RedisScript script, string id, RedisValue[] values, CancellationToken cancellationToken) =>
        CallAsync(db => script.EvaluateAsync(db, [Key(id), _index, _version], values), cancellationToken);

    private Task<T> CallAsync<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellationToken) =>
        RedisCalls.RunAsync(_connection, call, "subscription store", cancellationToken);

    private static string Serialize(WebhookSubscription subscription) => JsonSerializer.Serialize(subscription, SenderRedisJsonContext.Default.WebhookSubscription);

    private static WebhookSubscription Deserialize(RedisValue json) =>
        JsonSerializer.Deserialize((string)json!, SenderRedisJsonContext.Default.WebhookSubscription) ?? throw new InvalidOperationException("A stored subscription is empty.");

    /// <summary>Every subscription as read at a version.</summary>
    private sealed record Snapshot(long Version, List<WebhookSubscription> All);
}
