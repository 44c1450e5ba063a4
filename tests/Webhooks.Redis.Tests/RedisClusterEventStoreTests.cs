using System;
using System.Linq;
using System.Threading.Tasks;
using Webhooks.Storage;
using Webhooks.Tests.Storage;

namespace Webhooks.Redis.Tests;

/// <summary>The event store contract, unchanged, on a real Redis Cluster of three masters: no script crosses a slot.</summary>
[Collection(RedisClusterGroup.Name)]
public sealed class RedisClusterEventStoreTests(RedisCluster cluster) : EventStoreContractTests
{
    protected override IWebhookEventStore CreateStore(TimeSpan? processedRetention = null, int? maxEvents = null, long? maxBytes = null)
    {
        var options = new WebhookRedisOptions
        {
            KeyPrefix = "ce" + Guid.NewGuid().ToString("N")[..12] + ":",
            Partitions = maxEvents is null && maxBytes is null ? 16 : 1,
        };
        return new RedisEventStore(new RedisConnection(options, cluster.Connection), processedRetention ?? Retention, maxEvents, maxBytes) { TestClock = Clock };
    }

    [Fact]
    public async Task EventsSpreadOverAllThreeMasters()
    {
        IWebhookEventStore store = CreateStore();
        long[] before = await cluster.KeysPerMasterAsync();
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("spread-" + i, "{\"n\":" + i + "}")));
        }

        long[] after = await cluster.KeysPerMasterAsync();
        Assert.All(after.Zip(before, (a, b) => a - b), added => Assert.True(added > 0, "a master holds none of the events"));
        Assert.Equal(100, (await store.CountAsync()).Queued);
    }

    [Fact]
    public async Task AppendsTakenForOneScript_RefusedByTheCluster_SentAPartitionAtATime()
    {
        // A store that has not looked at the servers yet takes them for a single Redis: its first batch, spanning partitions, is
        // refused by the cluster without running, and goes again as one script per partition; nothing is lost or doubled.
        var store = (RedisEventStore)CreateStore();
        store.AssumeScriptsMaySpanPartitions();
        var appends = new Task<WebhookAppendResult>[200];
        for (int i = 0; i < appends.Length; i++)
        {
            appends[i] = store.AppendAsync(NewEvent("refused-" + (i % 100), "{\"n\":" + (i % 100) + "}")).AsTask();
        }

        WebhookAppendResult[] results = await Task.WhenAll(appends);
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal(i < 100 ? WebhookAppendResult.Appended : WebhookAppendResult.Duplicate, results[i]);
        }

        Assert.Equal(100, (await store.CountAsync()).Queued);
    }

    [Fact]
    public async Task SameBodyUnderTwoIdsAtTheSameInstant_DigestAndIdsInOtherSlots_StoredOnce()
    {
        // The digest's entry and the two ids live in different slots, often on different masters: the holder's partition orders
        // the check against the append (the fence), so no pair is stored twice.
        // Two stores (two processes' batchers) on one prefix.
        var options = new WebhookRedisOptions { KeyPrefix = "cpair" + Guid.NewGuid().ToString("N")[..8] + ":" };
        var a = new RedisEventStore(cluster.Connection, options);
        var b = new RedisEventStore(cluster.Connection, options);
        var pairs = new Task<WebhookAppendResult[]>[150];
        for (int i = 0; i < pairs.Length; i++)
        {
            string body = "{\"after\":\"" + i.ToString("x40", System.Globalization.CultureInfo.InvariantCulture) + "\"}";
            pairs[i] = Task.WhenAll(
                a.AppendAsync(NewEvent("x" + i, body) with { DeduplicateByBody = true }).AsTask(),
                b.AppendAsync(NewEvent("y" + i, body) with { DeduplicateByBody = true }).AsTask());
        }

        foreach (WebhookAppendResult[] pair in await Task.WhenAll(pairs))
        {
            Assert.Equal([WebhookAppendResult.Appended, WebhookAppendResult.Duplicate], pair.Order());
        }

        Assert.Equal(pairs.Length, (await a.CountAsync()).Queued);
    }
}
