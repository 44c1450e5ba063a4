using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Webhooks.Redis;
using Webhooks.Sender.DeliveryLog;

namespace Webhooks.Sender.Redis;

/// <summary>
/// The delivery log in Redis, shared by every sending process: an attempt recorded by one is listed by all. Each attempt is a hash
/// (<c>j</c> its JSON, <c>s</c> its subscription, <c>m</c> its message) numbered by a counter, with sorted sets by number (all
/// attempts, each subscription's, each message's) and one by when each is forgotten. Every key carries the hash tag
/// <c>{deliveries}</c>, so each script touches one slot of a Redis Cluster.
/// </summary>
/// <remarks>
/// Attempts older than the retention, by the clock given, are not listed; recording forgets them (a hundred at a time) and, beyond
/// the most kept, the oldest. Nothing is left to a key's time-to-live, so no index entry outlives its attempt.
/// </remarks>
public sealed class RedisWebhookDeliveryLog : IWebhookDeliveryLog
{
    // KEYS[1] the counter, KEYS[2] all attempts by number, KEYS[3] attempts by when they are forgotten; ARGV[1] the prefix of the
    // log's keys, ARGV[2] now (ms). Forgetting an attempt removes it from every index it is in.
    private const string Prelude = """
        local p = ARGV[1]
        local function forget(s)
          local f = redis.call('HMGET', p .. 'a:' .. s, 's', 'm')
          redis.call('DEL', p .. 'a:' .. s)
          redis.call('ZREM', KEYS[2], s)
          redis.call('ZREM', KEYS[3], s)
          if f[1] then redis.call('ZREM', p .. 'sub:' .. f[1], s) end
          if f[2] then redis.call('ZREM', p .. 'msg:' .. f[2], s) end
        end
        """ + "\n";

    // KEYS[4] the subscription's index, KEYS[5] the message's; ARGV[3] JSON, ARGV[4] subscription, ARGV[5] message,
    // ARGV[6] when it is forgotten (ms), ARGV[7] the most kept. Returns the attempt's number.
    private static readonly RedisScript RecordScript = new(Prelude + """
        for _, s in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[2], 'LIMIT', 0, 100)) do forget(s) end
        local seq = redis.call('INCR', KEYS[1])
        redis.call('HSET', p .. 'a:' .. seq, 'j', ARGV[3], 's', ARGV[4], 'm', ARGV[5])
        redis.call('ZADD', KEYS[2], seq, seq)
        redis.call('ZADD', KEYS[3], ARGV[6], seq)
        redis.call('ZADD', KEYS[4], seq, seq)
        redis.call('ZADD', KEYS[5], seq, seq)
        local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[7])
        if over > 0 then
          for _, s in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do forget(s) end
        end
        return seq
        """);

    // KEYS[4] the index read; ARGV[3] the highest number wanted ('+inf' or '(n'), ARGV[4] how many, ARGV[5] the subscription the
    // attempts must be of, or ''. Returns number, JSON, number, JSON, … newest first; forgets the attempts it finds out of date.
    private static readonly RedisScript ListScript = new(Prelude + """
        local out = {}
        local limit = tonumber(ARGV[4])
        local now = tonumber(ARGV[2])
        local max = ARGV[3]
        while #out < limit * 2 do
          local batch = redis.call('ZREVRANGEBYSCORE', KEYS[4], max, '-inf', 'LIMIT', 0, limit)
          if #batch == 0 then break end
          for _, s in ipairs(batch) do
            local ends = tonumber(redis.call('ZSCORE', KEYS[3], s) or '0')
            if ends < now then
              forget(s)
            else
              local f = redis.call('HMGET', p .. 'a:' .. s, 'j', 's')
              if f[1] and (ARGV[5] == '' or f[2] == ARGV[5]) then
                out[#out + 1] = s
                out[#out + 1] = f[1]
                if #out >= limit * 2 then break end
              end
            end
          end
          max = '(' .. batch[#batch]
        end
        return out
        """);

    private readonly IConnectionMultiplexer _connection;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _retention;
    private readonly int _maxAttempts;
    private readonly string _prefix;
    private readonly RedisKey _counter;
    private readonly RedisKey _all;
    private readonly RedisKey _forgetting;

    /// <summary>Creates the log.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="keyPrefix">The prefix of its keys; <c>webhooks:</c> by default. Every key is <c>&lt;prefix&gt;{deliveries}:…</c>.</param>
    /// <param name="timeProvider">The clock that dates retention; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="retention">How long attempts are kept; 30 days when <see langword="null"/>.</param>
    /// <param name="maxAttempts">The most attempts kept; 1,000,000 by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> or <paramref name="keyPrefix"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="keyPrefix"/> holds a brace, which would change the hash tag.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retention"/> or <paramref name="maxAttempts"/> is not more than zero.</exception>
    public RedisWebhookDeliveryLog(
        IConnectionMultiplexer connection, string keyPrefix = "webhooks:", TimeProvider? timeProvider = null, TimeSpan? retention = null, int maxAttempts = 1_000_000)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        if (keyPrefix.Contains('{', StringComparison.Ordinal) || keyPrefix.Contains('}', StringComparison.Ordinal))
        {
            throw new ArgumentException("The key prefix must not hold '{' or '}': the keys carry their own hash tag.", nameof(keyPrefix));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        _retention = retention ?? TimeSpan.FromDays(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_retention, TimeSpan.Zero, nameof(retention));
        _connection = connection;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _maxAttempts = maxAttempts;
        _prefix = keyPrefix + "{deliveries}:";
        _counter = _prefix + "seq";
        _all = _prefix + "all";
        _forgetting = _prefix + "forget";
    }

    /// <inheritdoc />
    public async ValueTask<WebhookDeliveryAttempt> RecordAsync(WebhookDeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        long now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        long forgetAt = (attempt.StartedAt + _retention).ToUnixTimeMilliseconds();
        string json = JsonSerializer.Serialize(attempt with { Sequence = 0 }, SenderRedisJsonContext.Default.WebhookDeliveryAttempt);
        RedisResult sequence = await CallAsync(db => RecordScript.EvaluateAsync(
            db,
            [_counter, _all, _forgetting, _prefix + "sub:" + attempt.SubscriptionId, _prefix + "msg:" + attempt.MessageId],
            [_prefix, now, json, attempt.SubscriptionId, attempt.MessageId, forgetAt, _maxAttempts]), cancellationToken).ConfigureAwait(false);
        return attempt with { Sequence = (long)sequence };
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WebhookDeliveryAttempt>> ListAsync(string? subscriptionId, string? messageId, long? before, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // A message has few attempts: its index is read when both are given, and the subscription checked on each.
        RedisKey index = messageId is not null ? _prefix + "msg:" + messageId : subscriptionId is not null ? _prefix + "sub:" + subscriptionId : _all;
        string subscription = messageId is not null && subscriptionId is not null ? subscriptionId : "";
        string highest = before is { } cursor ? "(" + cursor.ToString(CultureInfo.InvariantCulture) : "+inf";
        long now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        RedisResult found = await CallAsync(db => ListScript.EvaluateAsync(
            db, [_counter, _all, _forgetting, index], [_prefix, now, highest, limit, subscription]), cancellationToken).ConfigureAwait(false);

        var values = (RedisResult[])found!;
        var attempts = new List<WebhookDeliveryAttempt>(values.Length / 2);
        for (int i = 0; i + 1 < values.Length; i += 2)
        {
            WebhookDeliveryAttempt attempt = JsonSerializer.Deserialize((string)values[i + 1]!, SenderRedisJsonContext.Default.WebhookDeliveryAttempt)
                ?? throw new InvalidOperationException("A stored delivery attempt is empty.");
            attempts.Add(attempt with { Sequence = (long)values[i] });
        }

        return attempts;
    }

    private Task<T> CallAsync<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellationToken) =>
        RedisCalls.RunAsync(_connection, call, "delivery log", cancellationToken);
}
