using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Webhooks.Idempotency;

namespace Webhooks.Tests.Idempotency;

public class InMemoryIdempotencyStoreTests : IdempotencyStoreContractTests
{
    protected override IIdempotencyStore CreateStore() => new InMemoryIdempotencyStore(Clock);

    [Fact]
    public async Task TryBeginAsync_AtCapacity_ThrowsUntilKeysExpire()
    {
        var store = new InMemoryIdempotencyStore(Clock, maxKeys: 1);
        IdempotencyBeginResult a = await store.TryBeginAsync("a", TimeSpan.FromSeconds(10));
        await store.CompleteAsync("a", a.Token, TimeSpan.FromHours(1));
        await Assert.ThrowsAsync<Webhooks.Storage.WebhookStoreUnavailableException>(async () => await store.TryBeginAsync("b", TimeSpan.FromSeconds(10)));
        Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(IdempotencyStatus.Started, (await store.TryBeginAsync("b", TimeSpan.FromSeconds(10))).Status);
    }

    [Fact]
    public async Task TryBeginAsync_AtCapacity_ExpiredKeysBehindLongerOnesAreFreed()
    {
        var store = new InMemoryIdempotencyStore(Clock, maxKeys: 2);
        IdempotencyBeginResult a = await store.TryBeginAsync("a", TimeSpan.FromSeconds(10));
        await store.CompleteAsync("a", a.Token, TimeSpan.FromHours(1));
        IdempotencyBeginResult b = await store.TryBeginAsync("b", TimeSpan.FromSeconds(10));
        await store.CompleteAsync("b", b.Token, TimeSpan.FromMinutes(1));

        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(IdempotencyStatus.Started, (await store.TryBeginAsync("c", TimeSpan.FromSeconds(10))).Status);
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public async Task ManyKeys_ReusedSlotsAndGrownIndex_EachKeyKeepsItsOwnState()
    {
        // Keys are begun, completed, released and expired in rounds, so slots are reused and the index grows several times.
        var store = new InMemoryIdempotencyStore(Clock);
        var completed = new HashSet<string>(StringComparer.Ordinal);
        var leased = new Dictionary<string, long>(StringComparer.Ordinal);
        var random = new Random(5);
        int next = 0;
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 6000; i++, next++)
            {
                string key = "event-" + next + "/handler";
                IdempotencyBeginResult begun = await store.TryBeginAsync(key, TimeSpan.FromMinutes(1));
                Assert.Equal(IdempotencyStatus.Started, begun.Status);
                switch (random.Next(3))
                {
                    case 0:
                        Assert.True(await store.CompleteAsync(key, begun.Token, TimeSpan.FromMinutes(10)));
                        completed.Add(key);
                        break;
                    case 1:
                        Assert.True(await store.ReleaseAsync(key, begun.Token));
                        break;
                    default:
                        leased[key] = begun.Token;
                        break;
                }
            }

            foreach (string key in completed)
            {
                Assert.Equal(IdempotencyStatus.AlreadyProcessed, (await store.TryBeginAsync(key, TimeSpan.FromMinutes(1))).Status);
            }

            foreach ((string key, long token) in leased)
            {
                Assert.Equal(IdempotencyStatus.InProgress, (await store.TryBeginAsync(key, TimeSpan.FromMinutes(1))).Status);
            }

            Assert.Equal(completed.Count + leased.Count, store.Count);

            // The leases run out; the completed keys outlive them.
            Clock.Advance(TimeSpan.FromMinutes(2));
            foreach ((string key, long token) in leased)
            {
                Assert.False(await store.CompleteAsync(key, token, TimeSpan.FromMinutes(10)));
            }

            leased.Clear();
            Assert.Equal(completed.Count, store.Count);
            if (round % 2 == 1)
            {
                Clock.Advance(TimeSpan.FromMinutes(10));
                completed.Clear();
                Assert.Equal(0, store.Count);
            }
        }
    }

    [Fact]
    public async Task KeysOfDifferentRetentions_ShortOnesExpire_LongOnesStillKnown()
    {
        // Keys kept for a month and keys kept for an hour, completed in turn: once the short ones have expired (and their
        // memory could be collected), each long one is still a duplicate.
        var store = new InMemoryIdempotencyStore(Clock);
        for (int i = 0; i < 2000; i++)
        {
            bool longKey = i % 10 == 0;
            string key = (longKey ? "charge:" : "event-") + i;
            IdempotencyBeginResult begun = await store.TryBeginAsync(key, TimeSpan.FromMinutes(1));
            Assert.True(await store.CompleteAsync(key, begun.Token, longKey ? TimeSpan.FromDays(30) : TimeSpan.FromHours(1)));
        }

        Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(IdempotencyStatus.Started, (await store.TryBeginAsync("event-1", TimeSpan.FromMinutes(1))).Status);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        for (int i = 0; i < 2000; i += 10)
        {
            Assert.Equal(IdempotencyStatus.AlreadyProcessed, (await store.TryBeginAsync("charge:" + i, TimeSpan.FromMinutes(1))).Status);
        }
    }

    [Fact]
    public async Task TryBeginAsync_InvalidArguments_Throw()
    {
        var store = new InMemoryIdempotencyStore(Clock);
        await Assert.ThrowsAsync<ArgumentNullException>("key", async () => await store.TryBeginAsync(null!, TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("lease", async () => await store.TryBeginAsync("k", TimeSpan.Zero));
    }
}
