using System;
using System.Linq;
using System.Threading.Tasks;
using Webhooks.Idempotency;
using Webhooks.Tests.Idempotency;

namespace Webhooks.Redis.Tests;

/// <summary>The idempotency store contract, unchanged, on a real Redis Cluster of three masters: no script crosses a slot.</summary>
[Collection(RedisClusterGroup.Name)]
public sealed class RedisClusterIdempotencyStoreTests(RedisCluster cluster) : IdempotencyStoreContractTests
{
    protected override IIdempotencyStore CreateStore()
    {
        return new RedisIdempotencyStore(cluster.Connection, new WebhookRedisOptions { KeyPrefix = "c" + Guid.NewGuid().ToString("N")[..12] + ":" }) { TestClock = Clock };
    }

    [Fact]
    public async Task KeysOfManyIds_SpreadOverAllThreeMasters()
    {
        var store = new RedisIdempotencyStore(cluster.Connection, new WebhookRedisOptions { KeyPrefix = "spread" + Guid.NewGuid().ToString("N")[..8] + ":" });
        long[] before = await cluster.KeysPerMasterAsync();
        for (int i = 0; i < 200; i++)
        {
            IdempotencyBeginResult begun = await store.TryBeginAsync("github:" + i + "/handler", TimeSpan.FromMinutes(1));
            Assert.Equal(IdempotencyStatus.Started, begun.Status);
        }

        long[] after = await cluster.KeysPerMasterAsync();
        Assert.All(after.Zip(before, (a, b) => a - b), added => Assert.True(added > 0, "a master holds none of the keys"));
    }
}
