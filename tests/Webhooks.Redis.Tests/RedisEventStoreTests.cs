using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Webhooks.Storage;
using Webhooks.Tests.Storage;

namespace Webhooks.Redis.Tests;

/// <summary>The event store contract, unchanged, on a real Redis: each test has its own key prefix.</summary>
[Collection(RedisServerGroup.Name)]
public sealed class RedisEventStoreTests(RedisServer redis) : EventStoreContractTests
{
    protected override IEventStore CreateStore(TimeSpan? processedRetention = null, int? maxEvents = null, long? maxBytes = null)
    {
        // Capacity is counted per partition: one partition makes the contract's exact limits exact here too.
        var options = new WebhookRedisOptions
        {
            KeyPrefix = "e" + Guid.NewGuid().ToString("N")[..12] + ":",
            Partitions = maxEvents is null && maxBytes is null ? 16 : 1,
        };
        return new RedisEventStore(new RedisConnection(options, redis.Connection), processedRetention ?? Retention, maxEvents, maxBytes) { TestClock = Clock };
    }

    [Fact]
    public async Task Body25MiB_RoundTripsByteExact_ThroughReadAndClaim()
    {
        var store = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = "big" + Guid.NewGuid().ToString("N")[..8] + ":" });
        byte[] body = new byte[25 * 1024 * 1024];
        new Random(25).NextBytes(body);
        WebhookEvent big = WebhookEvent.Create("github", "big", "push", new Dictionary<string, string> { ["X-GitHub-Event"] = "push" }, body, DateTimeOffset.UtcNow);

        Assert.Equal(EventAppendResult.Appended, await store.AppendAsync(big));
        Assert.Equal(body, (await store.ReadAsync("github:big"))!.Body.ToArray());
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, TimeSpan.FromMinutes(1)));
        Assert.Equal(body, claim.Event.Body.ToArray());
        Assert.Equal(body.Length, (await store.GetAsync("github:big"))!.BodyLength);
    }

    [Fact]
    public void Constructor_BadArguments_ClearErrors()
    {
        Assert.Throws<ArgumentNullException>(() => new RedisEventStore((StackExchange.Redis.IConnectionMultiplexer)null!));
        Assert.Throws<ArgumentException>(() => new RedisEventStore(redis.Connection, new WebhookRedisOptions { Partitions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisEventStore(redis.Connection, processedRetention: TimeSpan.Zero));
    }
}
