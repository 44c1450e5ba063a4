using System;
using System.Threading.Tasks;
using Webhooks.Idempotency;
using Webhooks.Storage;
using Webhooks.Tests.Idempotency;

namespace Webhooks.Redis.Tests;

/// <summary>The idempotency store contract, unchanged, on a real Redis: each test has its own key prefix.</summary>
[Collection(RedisServerGroup.Name)]
public sealed class RedisIdempotencyStoreTests(RedisServer redis) : IdempotencyStoreContractTests
{
    protected override IIdempotencyStore CreateStore()
    {
        var options = new WebhookRedisOptions { KeyPrefix = "t" + Guid.NewGuid().ToString("N")[..12] + ":" };
        return new RedisIdempotencyStore(redis.Connection, options) { TestClock = Clock };
    }

    [Fact]
    public async Task KeysOfOnePartitionShareAHashTag_AndSpreadOverPartitions()
    {
        var keys = new RedisKeys("webhooks:", 16);
        var seen = new bool[16];
        for (int i = 0; i < 400; i++)
        {
            int partition = keys.PartitionOf("github:" + i);
            seen[partition] = true;
            Assert.Equal(partition, keys.PartitionOf("github:" + i));
            Assert.StartsWith("webhooks:{p" + partition.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) + "}:", (string)keys.Key(partition, "evt:x")!, StringComparison.Ordinal);
        }

        Assert.All(seen, Assert.True);

        // The documented hash (FNV-1a, 32 bits, over UTF-8) gives these partitions in every version.
        Assert.Equal(0xE40C292Cu % 16, (uint)keys.PartitionOf("a"));
        await Task.CompletedTask;
    }

    [Fact]
    public void Constructor_BadOptions_ClearErrors()
    {
        Assert.Throws<ArgumentNullException>(() => new RedisIdempotencyStore((StackExchange.Redis.IConnectionMultiplexer)null!));
        Assert.Throws<ArgumentException>(() => new RedisIdempotencyStore(redis.Connection, new WebhookRedisOptions { Partitions = 0 }));
        Assert.Throws<ArgumentException>(() => new RedisIdempotencyStore(redis.Connection, new WebhookRedisOptions { Partitions = 1025 }));
    }

    [Fact]
    public async Task TwoStoresOnOneRedis_SeeOneAnothersLeases()
    {
        var options = new WebhookRedisOptions { KeyPrefix = "shared" + Guid.NewGuid().ToString("N")[..8] + ":" };
        var first = new RedisIdempotencyStore(redis.Connection, options);
        var second = new RedisIdempotencyStore(redis.Connection, options);
        IdempotencyBeginResult begun = await first.TryBeginAsync("charge:in_1", TimeSpan.FromMinutes(1));
        Assert.Equal(IdempotencyStatus.InProgress, (await second.TryBeginAsync("charge:in_1", TimeSpan.FromMinutes(1))).Status);
        Assert.True(await first.CompleteAsync("charge:in_1", begun.Token, TimeSpan.FromHours(1)));
        Assert.Equal(IdempotencyStatus.AlreadyProcessed, (await second.TryBeginAsync("charge:in_1", TimeSpan.FromMinutes(1))).Status);
    }

    [Fact]
    public async Task RedisUnreachable_StoreUnavailable()
    {
        var options = new WebhookRedisOptions { Configuration = "127.0.0.1:1,connectTimeout=200,syncTimeout=200,asyncTimeout=200" };
        var store = new RedisIdempotencyStore(new RedisConnection(options, given: null));
        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.TryBeginAsync("k", TimeSpan.FromSeconds(30)));
    }
}
