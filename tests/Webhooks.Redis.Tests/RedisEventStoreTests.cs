using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Webhooks.Storage;
using Webhooks.Tests.Storage;

namespace Webhooks.Redis.Tests;

/// <summary>The event store contract, unchanged, on a real Redis: each test has its own key prefix.</summary>
[Collection(RedisServerGroup.Name)]
public sealed class RedisEventStoreTests(RedisServer redis) : EventStoreContractTests
{
    protected override IWebhookEventStore CreateStore(TimeSpan? processedRetention = null, int? maxEvents = null, long? maxBytes = null)
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

        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(big));
        Assert.Equal(body, (await store.ReadAsync("github:big"))!.Body.ToArray());
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, TimeSpan.FromMinutes(1)));
        Assert.Equal(body, claim.Event.Body.ToArray());
        Assert.Equal(body.Length, (await store.GetAsync("github:big"))!.BodyLength);
    }

    [Fact]
    public async Task ConcurrentAppendsToOnePartition_SentTogether_EachAnsweredAsIfAlone()
    {
        // One partition, 200 appends at once: 100 new events, then each of the first 50 again with the same body and each of the
        // next 50 again with another body. They go in batches (far fewer scripts than appends), in arrival order, and every
        // caller gets the answer it would have got alone.
        var store = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = "batch" + Guid.NewGuid().ToString("N")[..8] + ":", Partitions = 1 });
        StackExchange.Redis.IServer server = redis.Connection.GetServer(redis.Configuration);
        long scriptsBefore = await EvalShaCallsAsync(server);
        var appends = new List<Task<WebhookAppendResult>>();
        for (int i = 0; i < 200; i++)
        {
            int n = i % 100;
            byte[] body = System.Text.Encoding.UTF8.GetBytes(i >= 150 ? "{\"other\":" + n + "}" : "{\"n\":" + n + "}");
            appends.Add(store.AppendAsync(WebhookEvent.Create("github", "b" + n, "push", new Dictionary<string, string>(), body, DateTimeOffset.UtcNow)).AsTask());
        }

        WebhookAppendResult[] results = await Task.WhenAll(appends);
        long scripts = await EvalShaCallsAsync(server) - scriptsBefore;

        for (int i = 0; i < 200; i++)
        {
            WebhookAppendResult expected = i < 100 ? WebhookAppendResult.Appended : i < 150 ? WebhookAppendResult.Duplicate : WebhookAppendResult.ConflictingDuplicate;
            Assert.Equal(expected, results[i]);
        }

        Assert.InRange(scripts, 1, 100);
        for (int n = 0; n < 100; n++)
        {
            Assert.Equal("{\"n\":" + n + "}", System.Text.Encoding.UTF8.GetString((await store.ReadAsync("github:b" + n))!.Body.Span));
        }

        Assert.Equal(100, (await store.CountAsync()).Queued);
    }

    [Fact]
    public async Task ConcurrentWriteBacks_SentTogether_EachAnsweredAsIfAlone()
    {
        // 200 claimed events over every partition, written back at once: 100 completed, 50 failed, 50 released, and 20 late
        // writes with stale tokens. They go in batches (far fewer scripts than writes), and each caller gets its own answer.
        var store = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = "wb" + Guid.NewGuid().ToString("N")[..8] + ":" });
        for (int i = 0; i < 200; i++)
        {
            await store.AppendAsync(WebhookEvent.Create("github", "w" + i, "push", new Dictionary<string, string>(), System.Text.Encoding.UTF8.GetBytes("{\"w\":" + i + "}"), DateTimeOffset.UtcNow));
        }

        var claims = new List<WebhookClaim>();
        while (claims.Count < 200)
        {
            claims.AddRange(await store.ClaimAsync(200 - claims.Count, Lease));
        }

        StackExchange.Redis.IServer server = redis.Connection.GetServer(redis.Configuration);
        long scriptsBefore = await EvalShaCallsAsync(server);
        var writes = new List<Task<bool>>();
        for (int i = 0; i < 200; i++)
        {
            WebhookClaim c = claims[i];
            writes.Add((i % 4) switch
            {
                0 or 1 => store.CompleteAsync(c.Event.Id, c.Token, unhandled: false).AsTask(),
                2 => store.FailAsync(c.Event.Id, c.Token, "boom", TimeSpan.FromMinutes(1)).AsTask(),
                _ => store.ReleaseAsync(c.Event.Id, c.Token).AsTask(),
            });
        }

        for (int i = 0; i < 20; i++)
        {
            writes.Add(store.CompleteAsync(claims[i].Event.Id, claims[i].Token - 1, unhandled: false).AsTask());
        }

        bool[] results = await Task.WhenAll(writes);
        long scripts = await EvalShaCallsAsync(server) - scriptsBefore;
        Assert.All(results[..200], Assert.True);
        Assert.All(results[200..], Assert.False);
        Assert.InRange(scripts, 1, 110);
        WebhookEventCounts counts = await store.CountAsync();
        Assert.Equal((100, 50, 50, 0), (counts.Processed, counts.Failed, counts.Queued, counts.Processing));
    }

    [Fact]
    public async Task ConcurrentAppendsToEveryPartition_OneScriptTakesManyPartitions_EachAnsweredAsIfAlone()
    {
        // Sixteen partitions, 320 appends at once: 160 new events, then each of the first 80 again with the same body and each
        // of the next 80 again with another body. On a single Redis a script takes the appends of every partition, so they need
        // fewer scripts than there are partitions (a script per partition would need at least sixteen), each partition's in
        // arrival order.
        var store = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = "span" + Guid.NewGuid().ToString("N")[..8] + ":", Partitions = 16 });
        StackExchange.Redis.IServer server = redis.Connection.GetServer(redis.Configuration);
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(WebhookEvent.Create("github", "first", "push", new Dictionary<string, string>(), "{}"u8.ToArray(), DateTimeOffset.UtcNow)));
        long scriptsBefore = await EvalShaCallsAsync(server);
        var appends = new List<Task<WebhookAppendResult>>();
        for (int i = 0; i < 320; i++)
        {
            int n = i % 160;
            byte[] body = System.Text.Encoding.UTF8.GetBytes(i >= 240 ? "{\"other\":" + n + "}" : "{\"n\":" + n + "}");
            appends.Add(store.AppendAsync(WebhookEvent.Create("github", "s" + n, "push", new Dictionary<string, string>(), body, DateTimeOffset.UtcNow)).AsTask());
        }

        WebhookAppendResult[] results = await Task.WhenAll(appends);
        long scripts = await EvalShaCallsAsync(server) - scriptsBefore;

        for (int i = 0; i < 320; i++)
        {
            WebhookAppendResult expected = i < 160 ? WebhookAppendResult.Appended : i < 240 ? WebhookAppendResult.Duplicate : WebhookAppendResult.ConflictingDuplicate;
            Assert.Equal(expected, results[i]);
        }

        Assert.InRange(scripts, 1, 15);
        var partitions = new HashSet<int>();
        var keys = new RedisKeys("unused:", 16);
        for (int n = 0; n < 160; n++)
        {
            Assert.Equal("{\"n\":" + n + "}", System.Text.Encoding.UTF8.GetString((await store.ReadAsync("github:s" + n))!.Body.Span));
            partitions.Add(keys.PartitionOf("github:s" + n));
        }

        Assert.Equal(16, partitions.Count);
        Assert.Equal(161, (await store.CountAsync()).Queued);
    }

    [Fact]
    public async Task FullPartition_ExpiredEventsForgottenByTheAppend_EvenWhenNoTidyIsDue()
    {
        // An append tidies a partition (forgets its expired events) about once a second; a partition that is full meanwhile must
        // still take an event as soon as expired events make room, without waiting for that second.
        var options = new WebhookRedisOptions { KeyPrefix = "tidy" + Guid.NewGuid().ToString("N")[..8] + ":", Partitions = 1 };
        var store = new RedisEventStore(new RedisConnection(options, redis.Connection), TimeSpan.FromMilliseconds(100), maxEvents: 2) { TestClock = Clock };
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("a")));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("b")));
        foreach (WebhookClaim claim in await store.ClaimAsync(2, Lease))
        {
            Assert.True(await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: false));
        }

        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.AppendAsync(NewEvent("early")));
        Clock.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("c")));
        Assert.Null(await store.GetAsync("github:a"));
        Assert.Equal(1, (await store.CountAsync()).Total);
    }

    [Fact]
    public async Task ConcurrentAppendsPastCapacity_BatchCountsEachInTurn_ExactlyCapacityStored()
    {
        // One partition holding 10 events, 40 appends at once: they go in batches, and each append in a batch sees the ones
        // before it, so exactly 10 are stored and 30 refused, and the partition's counts say 10 and their bytes.
        var options = new WebhookRedisOptions { KeyPrefix = "cap" + Guid.NewGuid().ToString("N")[..8] + ":", Partitions = 1 };
        var store = new RedisEventStore(new RedisConnection(options, redis.Connection), Retention, maxEvents: 10);
        var appends = new List<Task<WebhookAppendResult>>();
        for (int i = 0; i < 40; i++)
        {
            appends.Add(store.AppendAsync(WebhookEvent.Create("github", "c" + i, "push", new Dictionary<string, string>(), new byte[100], DateTimeOffset.UtcNow)).AsTask());
        }

        int appended = 0;
        int refused = 0;
        foreach (Task<WebhookAppendResult> append in appends)
        {
            try
            {
                Assert.Equal(WebhookAppendResult.Appended, await append);
                appended++;
            }
            catch (WebhookStoreUnavailableException)
            {
                refused++;
            }
        }

        Assert.Equal((10, 30), (appended, refused));
        Assert.Equal(10, (await store.CountAsync()).Total);
        StackExchange.Redis.HashEntry[] intake = await redis.Connection.GetDatabase().HashGetAllAsync(new RedisKeys(options.KeyPrefix, 1).Key(0, "intake"));
        long bytes = 10 * (100 + (2 * ("github:c0".Length + "github".Length + "push".Length)) + 256L);
        Assert.Contains(new StackExchange.Redis.HashEntry("n", 10), intake);
        Assert.InRange((long)Array.Find(intake, e => e.Name == "bytes").Value, bytes, bytes + (10 * 2 * 2));
    }

    private static async Task<long> EvalShaCallsAsync(StackExchange.Redis.IServer server)
    {
        string info = (await server.InfoRawAsync("commandstats"))!;
        int at = info.IndexOf("cmdstat_evalsha:calls=", StringComparison.Ordinal);
        if (at < 0)
        {
            return 0;
        }

        at += "cmdstat_evalsha:calls=".Length;
        int end = info.IndexOf(',', at);
        return long.Parse(info[at..end], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task ScriptsFlushedFromTheServer_SentAgainAndRun()
    {
        // Scripts run by their SHA-1; a server that lost them (restart, failover, SCRIPT FLUSH) is sent their text again.
        var store = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = "flush" + Guid.NewGuid().ToString("N")[..8] + ":" });
        var ledger = new RedisIdempotencyStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = "flush" + Guid.NewGuid().ToString("N")[..8] + ":" });
        StackExchange.Redis.IServer server = redis.Connection.GetServer(redis.Configuration);
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(WebhookEvent.Create("github", "f1", "push", new Dictionary<string, string>(), new byte[] { 1, 2, 3 }, DateTimeOffset.UtcNow)));
        Assert.Equal(Webhooks.Idempotency.IdempotencyStatus.Started, (await ledger.TryBeginAsync("f1/h", TimeSpan.FromMinutes(1))).Status);

        await server.ScriptFlushAsync();
        Assert.False(await server.ScriptExistsAsync(RedisEventScripts.Claim.Hash));

        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, TimeSpan.FromMinutes(1)));
        Assert.True(await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: false));
        Assert.Equal(WebhookEventStatus.Processed, (await store.GetAsync("github:f1"))!.Status);
        Assert.True(await server.ScriptExistsAsync(RedisEventScripts.Claim.Hash));
        await server.ScriptFlushAsync();
        Assert.Equal(Webhooks.Idempotency.IdempotencyStatus.InProgress, (await ledger.TryBeginAsync("f1/h", TimeSpan.FromMinutes(1))).Status);
    }

    [Fact]
    public void Constructor_BadArguments_ClearErrors()
    {
        Assert.Throws<ArgumentNullException>(() => new RedisEventStore((StackExchange.Redis.IConnectionMultiplexer)null!));
        Assert.Throws<ArgumentException>(() => new RedisEventStore(redis.Connection, new WebhookRedisOptions { Partitions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisEventStore(redis.Connection, processedRetention: TimeSpan.Zero));
    }

    [Fact]
    public async Task DigestIndex_RemovedWithTheEvent_OnDeleteAndAfterRetention()
    {
        string prefix = "dig" + Guid.NewGuid().ToString("N")[..8] + ":";
        var store = new RedisEventStore(new RedisConnection(new WebhookRedisOptions { KeyPrefix = prefix, Partitions = 1 }, redis.Connection), TimeSpan.FromHours(1)) { TestClock = Clock };
        var server = redis.Connection.GetServer(redis.Configuration);

        async Task<int> DigestKeysAsync()
        {
            int n = 0;
            await foreach (StackExchange.Redis.RedisKey _ in server.KeysAsync(pattern: prefix + "*digest:*"))
            {
                n++;
            }

            return n;
        }

        await store.AppendAsync(NewEvent("a", "{\"a\":1}") with { DeduplicateByBody = true });
        await store.AppendAsync(NewEvent("b", "{\"b\":1}") with { DeduplicateByBody = true });
        Assert.Equal(2, await DigestKeysAsync());

        Assert.True(await store.DeleteAsync("github:a"));
        Assert.Equal(1, await DigestKeysAsync());

        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: false));
        Clock.Advance(TimeSpan.FromHours(2));
        await store.AppendAsync(NewEvent("c", "{\"c\":1}"));

        // The append takes the forgotten entries; their removal follows it, without holding up the next batch.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await DigestKeysAsync() != 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the forgotten event's digest entry was never removed");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task ProcessedEvent_KeepsOnlyTheFieldsItNeeds_ReadAsBefore()
    {
        string prefix = "lean" + Guid.NewGuid().ToString("N")[..8] + ":";
        var store = new RedisEventStore(new RedisConnection(new WebhookRedisOptions { KeyPrefix = prefix, Partitions = 1 }, redis.Connection), Retention);
        await store.AppendAsync(NewEvent("handled", "{\"h\":1}"));
        await store.AppendAsync(NewEvent("unhandled", "{\"u\":1}"));
        foreach (WebhookClaim claim in await store.ClaimAsync(2, Lease))
        {
            Assert.True(await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: claim.Event.Id == "github:unhandled"));
        }

        // Its lease, token, interruptions, last error and handler runs are gone: kept for days, each field costs Redis memory.
        var keys = new RedisKeys(prefix, 1);
        StackExchange.Redis.RedisValue[] fields = await redis.Connection.GetDatabase().HashKeysAsync(keys.Key(0, "evt:github:handled"));
        Assert.Equal(["arr", "att", "b", "done", "h", "m", "size", "st"], fields.Select(f => (string)f!).Order(StringComparer.Ordinal));

        WebhookEventSummary handled = (await store.GetAsync("github:handled"))!;
        Assert.Equal((WebhookEventStatus.Processed, 1, (string?)null, false, (DateTimeOffset?)null, (DateTimeOffset?)null), (handled.Status, handled.Attempts, handled.LastError, handled.Unhandled, handled.NextAttemptAt, handled.LeaseExpiresAt));
        Assert.True((await store.GetAsync("github:unhandled"))!.Unhandled);

        // A forced replay brings back what a claim needs.
        Assert.Equal(WebhookReplayResult.Queued, await store.ReplayAsync("github:handled", force: true));
        WebhookClaim again = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(("github:handled", 1), (again.Event.Id, again.Event.Attempts));
        Assert.True(await store.CompleteAsync(again.Event.Id, again.Token, unhandled: false));
    }

    [Fact]
    public async Task ProcessedEvents_HaveATimeToLiveAsABackstop_DeadAndReplayedOnesNone()
    {
        string prefix = "ttl" + Guid.NewGuid().ToString("N")[..8] + ":";
        var store = new RedisEventStore(new RedisConnection(new WebhookRedisOptions { KeyPrefix = prefix, Partitions = 1 }, redis.Connection), TimeSpan.FromHours(1));
        var keys = new RedisKeys(prefix, 1);
        StackExchange.Redis.IDatabase db = redis.Connection.GetDatabase();
        await store.AppendAsync(NewEvent("done", "{\"d\":1}"));
        await store.AppendAsync(NewEvent("dead", "{\"d\":2}"));
        foreach (WebhookClaim claim in await store.ClaimAsync(2, Lease))
        {
            Assert.True(claim.Event.Id == "github:done"
                ? await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: false)
                : await store.FailAsync(claim.Event.Id, claim.Token, "boom", retryDelay: null));
        }

        TimeSpan? ttl = await db.KeyTimeToLiveAsync(keys.Key(0, "evt:github:done"));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(1.9), TimeSpan.FromHours(2));
        Assert.Null(await db.KeyTimeToLiveAsync(keys.Key(0, "evt:github:dead")));

        Assert.Equal(WebhookReplayResult.Queued, await store.ReplayAsync("github:done", force: true));
        Assert.Null(await db.KeyTimeToLiveAsync(keys.Key(0, "evt:github:done")));

        // An event whose key ran out before the scripts forgot it leaves no index entry behind.
        await db.KeyDeleteAsync(keys.Key(0, "evt:github:dead"));
        Assert.DoesNotContain((await store.ListAsync(null, 10)).Items, e => e.Id == "github:dead");
    }
}
