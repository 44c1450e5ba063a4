using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Webhooks.Storage;

namespace Webhooks.Redis.Tests;

/// <summary>Races and leaks of the Redis event store found by review, each reproduced against a real redis-server.</summary>
[Collection(RedisServerGroup.Name)]
public sealed class RedisEventStoreRaceTests(RedisServer redis)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task SameBodyUnderTwoIdsAtTheSameInstant_FromTwoProcesses_StoredOnce()
    {
        string prefix = Prefix("pairs");
        await using ConnectionMultiplexer other = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var a = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = prefix });
        var b = new RedisEventStore(other, new WebhookRedisOptions { KeyPrefix = prefix });

        // A captured GitHub body sent again under a new delivery id, at the same instant, to another process: 300 pairs.
        var pairs = new List<Task<WebhookAppendResult[]>>();
        for (int i = 0; i < 300; i++)
        {
            string body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + i.ToString("x40", System.Globalization.CultureInfo.InvariantCulture) + "\"}";
            pairs.Add(Task.WhenAll(
                a.AppendAsync(Event("x" + i, body)).AsTask(),
                b.AppendAsync(Event("y" + i, body)).AsTask()));
        }

        WebhookAppendResult[][] results = await Task.WhenAll(pairs);
        Assert.All(results, pair => Assert.Equal(
            [WebhookAppendResult.Appended, WebhookAppendResult.Duplicate],
            pair.Order()));
        Assert.Equal(300, (await a.CountAsync()).Queued);
    }

    [Fact]
    public async Task ReappendedIdAfterItWasForgotten_KeepsItsDigestEntry()
    {
        string prefix = Prefix("reappend");
        RedisEventStore store = Store(prefix, TimeSpan.FromHours(1));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(Event("x", "{\"d\":1}")));
        await CompleteAllAsync(store);

        // X is forgotten past its retention (by a read, which queues its digest entry's removal without taking it) ...
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, (await store.CountAsync()).Processed);

        // ... delivered again under the same id (its append tidies the partition: the queued removal runs after it) ...
        long scripts = await ScriptCallsAsync();
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(Event("x", "{\"d\":1}")));

        // (the digest claim, the append, and the removal it took from the queue: wait until all three have run)
        await PollAsync(async () => await ScriptCallsAsync() >= scripts + 3, "the queued removal ran");

        // ... and a copy of its body under a new id is still a duplicate.
        Assert.Equal(WebhookAppendResult.Duplicate, await store.AppendAsync(Event("copy", "{\"d\":1}")));
        Assert.Null(await store.GetAsync("github:copy"));
    }

    [Fact]
    public async Task DeleteWithManyRemovalsQueued_RemovesItsOwnDigestEntry()
    {
        string prefix = Prefix("delete");
        RedisEventStore store = Store(prefix, TimeSpan.FromHours(1));
        for (int i = 0; i < 40; i++)
        {
            await store.AppendAsync(Event("old" + i, "{\"old\":" + i + "}"));
        }

        await CompleteAllAsync(store);
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, (await store.CountAsync()).Processed); // 40 removals queued, none taken

        await store.AppendAsync(Event("b", "{\"b\":1}"));
        Assert.True(await store.DeleteAsync("github:b"));
        Assert.DoesNotContain(await DigestHoldersAsync(prefix), holder => Names(holder, "github:b"));
    }

    [Fact]
    public async Task ManyDeduplicatedEventsExpire_TheirDigestEntriesGoAsFastAsTheyExpire()
    {
        string prefix = Prefix("tidy");
        RedisEventStore store = Store(prefix, TimeSpan.FromHours(1));
        for (int i = 0; i < 600; i++)
        {
            await store.AppendAsync(Event("e" + i, "{\"e\":" + i + "}"));
        }

        await CompleteAllAsync(store);
        Assert.Equal(600, (await DigestHoldersAsync(prefix)).Count);
        _clock.Advance(TimeSpan.FromHours(2));

        // A few seconds of ordinary intake (each append tidies the partition at most once a second) take every entry away.
        for (int s = 0; s < 3; s++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await store.AppendAsync(Event("new" + s, "{\"new\":" + s + "}") with { DeduplicateByBody = false });
        }

        await PollAsync(async () => (await DigestHoldersAsync(prefix)).Count == 0, "every expired event's digest entry removed");
    }

    [Fact]
    public async Task EventHashExpiredByItsTimeToLive_CountsAndDigestEntryStillReleased()
    {
        string prefix = Prefix("backstop");
        RedisEventStore store = Store(prefix, TimeSpan.FromHours(1), maxEvents: 1);
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(Event("x", "{\"x\":1}")));
        await CompleteAllAsync(store);

        // A quiet partition: no script forgot X before its hash's time-to-live (the backstop) removed it.
        var keys = new RedisKeys(prefix, 1);
        Assert.True(await redis.Connection.GetDatabase().KeyDeleteAsync(keys.Key(0, "evt:github:x")));
        _clock.Advance(TimeSpan.FromHours(2));

        // Its place in the partition's capacity is given back, and its digest entry removed.
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(Event("y", "{\"y\":1}")));
        await PollAsync(async () => !(await DigestHoldersAsync(prefix)).Any(h => Names(h, "github:x")), "X's digest entry removed");
        WebhookEventCounts counts = await store.CountAsync();
        Assert.Equal((1, 0), (counts.Queued, counts.Processed));
    }

    [Fact]
    public async Task ClaimCancelledWhileItsScriptsWait_ClaimsGivenBackUncounted()
    {
        string prefix = Prefix("cancel");
        var store = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = prefix });
        for (int i = 0; i < 60; i++)
        {
            await store.AppendAsync(Event("c" + i, "{\"c\":" + i + "}") with { DeduplicateByBody = false });
        }

        // The server holds writes (scripts included) for a moment: the caller stops waiting while the claim scripts wait there.
        IServer server = redis.Connection.GetServer(redis.Configuration);
        await server.ExecuteAsync("CLIENT", "PAUSE", "400", "WRITE");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.ClaimAsync(60, Lease, cancel.Token));

        WebhookEventCounts counts = await store.CountAsync();
        Assert.Equal((60, 0), (counts.Queued, counts.Processing));
        for (int i = 0; i < 60; i++)
        {
            Assert.Equal(0, (await store.GetAsync("github:c" + i))!.Attempts);
        }
    }

    [Fact]
    public async Task ClaimOverSeveralPartitionsFailingInOne_GivesBackWhatTheOthersTook()
    {
        // A claim of a script per partition, whichever server the store finds (a single Redis may take appends and write-backs
        // in one script over every partition).
        string prefix = Prefix("partway");
        var store = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = prefix });
        store.UseOneScriptPerPartition();
        for (int i = 0; i < 64; i++)
        {
            await store.AppendAsync(Event("p" + i, "{\"p\":" + i + "}") with { DeduplicateByBody = false });
        }

        // One partition's token counter is broken (a key of the wrong type): its claim script fails, the others' succeed.
        var keys = new RedisKeys(prefix, 16);
        int broken = keys.PartitionOf("github:p7");
        await redis.Connection.GetDatabase().HashSetAsync(keys.Key(broken, "token"), "x", "1");

        await Assert.ThrowsAnyAsync<Exception>(async () => await store.ClaimAsync(64, Lease));
        WebhookEventCounts counts = await store.CountAsync();
        Assert.Equal((64, 0), (counts.Queued, counts.Processing));
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal(0, (await store.GetAsync("github:p" + i))!.Attempts);
        }
    }

    /// <summary>Whether a digest index entry names an id (<c>&lt;nonce&gt;|&lt;id&gt;</c>, or only the id as earlier versions wrote it).</summary>
    private static bool Names(string holder, string id) => holder == id || holder.EndsWith("|" + id, StringComparison.Ordinal);

    private static string Prefix(string name) => name + Guid.NewGuid().ToString("N")[..8] + ":";

    private RedisEventStore Store(string prefix, TimeSpan retention, long? maxEvents = null) =>
        new(new RedisConnection(new WebhookRedisOptions { KeyPrefix = prefix, Partitions = 1 }, redis.Connection), retention, maxEvents) { TestClock = _clock };

    private WebhookEvent Event(string deliveryId, string body) =>
        WebhookEvent.Create("github", deliveryId, "push", new Dictionary<string, string> { ["X-GitHub-Event"] = "push" }, Encoding.UTF8.GetBytes(body), _clock.GetUtcNow())
            with { DeduplicateByBody = true };

    private static async Task CompleteAllAsync(RedisEventStore store)
    {
        IReadOnlyList<WebhookClaim> claims;
        while ((claims = await store.ClaimAsync(100, Lease)).Count > 0)
        {
            foreach (WebhookClaim claim in claims)
            {
                Assert.True(await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: false));
            }
        }
    }

    /// <summary>The digest index entries under a prefix: each names its holder, <c>&lt;nonce&gt;|&lt;id&gt;</c>.</summary>
    private async Task<List<string>> DigestHoldersAsync(string prefix)
    {
        IServer server = redis.Connection.GetServer(redis.Configuration);
        var holders = new List<string>();
        await foreach (RedisKey key in server.KeysAsync(pattern: prefix + "*digest:*"))
        {
            holders.Add((string)(await redis.Connection.GetDatabase().StringGetAsync(key))!);
        }

        return holders;
    }

    /// <summary>How many scripts the server has run (EVAL and EVALSHA), from its command statistics.</summary>
    private async Task<long> ScriptCallsAsync()
    {
        IServer server = redis.Connection.GetServer(redis.Configuration);
        long calls = 0;
        foreach (IGrouping<string, KeyValuePair<string, string>> section in await server.InfoAsync("commandstats"))
        {
            foreach (KeyValuePair<string, string> stat in section)
            {
                if (stat.Key is "cmdstat_evalsha" or "cmdstat_eval")
                {
                    // "calls=12,usec=…"
                    string value = stat.Value;
                    calls += long.Parse(value.AsSpan(6, value.IndexOf(',', StringComparison.Ordinal) - 6), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        return calls;
    }

    private static async Task PollAsync(Func<Task<bool>> condition, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException("Never happened: " + what);
            }

            await Task.Delay(10);
        }
    }
}
