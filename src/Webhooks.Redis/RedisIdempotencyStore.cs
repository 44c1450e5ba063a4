using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Webhooks.Idempotency;
using Webhooks.Storage;

namespace Webhooks.Redis;

/// <summary>
/// An <see cref="IIdempotencyStore"/> in Redis, shared by every receiver process. Each operation is one Lua script over the key's
/// hash (<c>{prefix}{pNN}:idem:&lt;key&gt;</c>) and its partition's token counter (<c>{prefix}{pNN}:idem-token</c>); leases and
/// retention are measured by the server's clock (<c>TIME</c>), tokens come from <c>INCR</c>, so a stale worker's token is refused
/// whatever the clocks of the hosts say. Keys carry a TTL a minute past their lease or retention, so nothing outlives its use.
/// </summary>
public sealed class RedisIdempotencyStore : IIdempotencyStore
{
    // KEYS: entry, token counter. ARGV: lease ms, the time in ms or -1 for the server's. Returns {status, token}: 0 started, 1 processed, 2 in progress.
    private static readonly RedisScript BeginScript = new(RedisScript.Functions + """
        local now = clock(ARGV[2])
        local entry = redis.call('HMGET', KEYS[1], 's', 'u')
        if entry[1] and tonumber(entry[2]) > now then
          if entry[1] == 'd' then return {1, 0} end
          return {2, 0}
        end
        local token = redis.call('INCR', KEYS[2])
        local lease = tonumber(ARGV[1])
        redis.call('HSET', KEYS[1], 's', 'l', 'k', int(token), 'u', int(now + lease))
        redis.call('PEXPIRE', KEYS[1], int(lease + 60000))
        return {0, token}
        """);

    // KEYS: entry. ARGV: token, retention ms, the time in ms or -1 for the server's. Returns 1 when completed, 0 when the token is stale.
    private static readonly RedisScript CompleteScript = new(RedisScript.Functions + """
        local now = clock(ARGV[3])
        local entry = redis.call('HMGET', KEYS[1], 's', 'k', 'u')
        if entry[1] ~= 'l' or entry[2] ~= ARGV[1] or tonumber(entry[3]) <= now then return 0 end
        local retention = tonumber(ARGV[2])
        redis.call('HSET', KEYS[1], 's', 'd', 'u', int(now + retention))
        redis.call('PEXPIRE', KEYS[1], int(retention + 60000))
        return 1
        """);

    // KEYS: entry. ARGV: token, the time in ms or -1 for the server's. Returns 1 when released, 0 when the token is stale.
    private static readonly RedisScript ReleaseScript = new(RedisScript.Functions + """
        local now = clock(ARGV[2])
        local entry = redis.call('HMGET', KEYS[1], 's', 'k', 'u')
        if entry[1] ~= 'l' or entry[2] ~= ARGV[1] or tonumber(entry[3]) <= now then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """);

    private readonly RedisConnection _connection;

    /// <summary>Creates a store over a connection the application made, for its own effects or outside dependency injection.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="options">The key prefix and partitions; the defaults when <see langword="null"/>. The connection settings in it are not used.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options' key prefix or partition count is out of range.</exception>
    public RedisIdempotencyStore(IConnectionMultiplexer connection, WebhookRedisOptions? options = null)
        : this(new RedisConnection(WebhookRedisOptionsSetup.LayoutOf(options ?? new WebhookRedisOptions()), connection ?? throw new ArgumentNullException(nameof(connection))))
    {
    }

    internal RedisIdempotencyStore(RedisConnection connection) => _connection = connection;

    /// <summary>Gets or sets a clock that replaces the server's, for tests of time; <see langword="null"/> (the server's clock) in use.</summary>
    internal TimeProvider? TestClock { get; set; }

    private long Now => TestClock is { } clock ? clock.GetUtcNow().ToUnixTimeMilliseconds() : -1;

    /// <inheritdoc />
    public async ValueTask<IdempotencyBeginResult> TryBeginAsync(string key, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        RedisResult result = await RunAsync(key, BeginScript, [ToMilliseconds(lease), Now], withCounter: true, cancellationToken).ConfigureAwait(false);
        var reply = (RedisResult[])result!;
        return (int)reply[0] switch
        {
            0 => IdempotencyBeginResult.Started((long)reply[1]),
            1 => IdempotencyBeginResult.AlreadyProcessed,
            _ => IdempotencyBeginResult.InProgress,
        };
    }

    /// <inheritdoc />
    public async ValueTask<bool> CompleteAsync(string key, long token, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        RedisResult result = await RunAsync(key, CompleteScript, [token, ToMilliseconds(retention), Now], withCounter: false, cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReleaseAsync(string key, long token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        RedisResult result = await RunAsync(key, ReleaseScript, [token, Now], withCounter: false, cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    private static long ToMilliseconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalMilliseconds));

    private async Task<RedisResult> RunAsync(string key, RedisScript script, RedisValue[] values, bool withCounter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKeys keys = _connection.Keys;
        int partition = keys.PartitionOf(key);
        RedisKey entry = keys.Key(partition, "idem:" + key);
        RedisKey[] scriptKeys = withCounter ? [entry, keys.Key(partition, "idem-token")] : [entry];
        try
        {
            IDatabase database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);

            // A command that was sent cannot be taken back: cancellation stops the wait, and the fencing token keeps a late
            // effect harmless.
            return await script.EvaluateAsync(database, scriptKeys, values).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            throw new WebhookStoreUnavailableException("The Redis idempotency store is unavailable: " + ex.Message, ex);
        }
    }
}
