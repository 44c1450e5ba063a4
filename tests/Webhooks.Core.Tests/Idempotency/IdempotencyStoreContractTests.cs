using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Idempotency;
using Microsoft.Extensions.Time.Testing;

namespace Webhooks.Tests.Idempotency;

/// <summary>The behaviour every <see cref="IIdempotencyStore"/> must have; each store's test class derives from this one.</summary>
public abstract class IdempotencyStoreContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retention = TimeSpan.FromHours(72);

    protected FakeTimeProvider Clock { get; } = new();

    protected abstract IIdempotencyStore CreateStore();

    /// <summary>Moves the store's own clock forward (a shared store measures leases and retention on its server's clock).</summary>
    protected virtual Task AdvanceStoreClockAsync(TimeSpan by)
    {
        Clock.Advance(by);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TryBeginAsync_NewKey_Started()
    {
        IdempotencyBeginResult result = await CreateStore().TryBeginAsync("k", Lease);
        Assert.Equal(IdempotencyStatus.Started, result.Status);
        Assert.NotEqual(0, result.Token);
    }

    [Fact]
    public async Task TryBeginAsync_WhileLeased_InProgress()
    {
        IIdempotencyStore store = CreateStore();
        await store.TryBeginAsync("k", Lease);
        Assert.Equal(IdempotencyStatus.InProgress, (await store.TryBeginAsync("k", Lease)).Status);
    }

    [Fact]
    public async Task TryBeginAsync_AfterComplete_AlreadyProcessedUntilRetentionEnds()
    {
        IIdempotencyStore store = CreateStore();
        IdempotencyBeginResult begin = await store.TryBeginAsync("k", Lease);
        Assert.True(await store.CompleteAsync("k", begin.Token, Retention));

        Assert.Equal(IdempotencyStatus.AlreadyProcessed, (await store.TryBeginAsync("k", Lease)).Status);
        await AdvanceStoreClockAsync(Retention - TimeSpan.FromSeconds(1));
        Assert.Equal(IdempotencyStatus.AlreadyProcessed, (await store.TryBeginAsync("k", Lease)).Status);
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(IdempotencyStatus.Started, (await store.TryBeginAsync("k", Lease)).Status);
    }

    [Fact]
    public async Task CompleteAsync_ShorterRetentionAfterLonger_EachKeyExpiresOnItsOwnSpan()
    {
        IIdempotencyStore store = CreateStore();
        IdempotencyBeginResult longer = await store.TryBeginAsync("long", Lease);
        Assert.True(await store.CompleteAsync("long", longer.Token, TimeSpan.FromHours(1)));
        IdempotencyBeginResult shorter = await store.TryBeginAsync("short", Lease);
        Assert.True(await store.CompleteAsync("short", shorter.Token, TimeSpan.FromMinutes(1)));

        await AdvanceStoreClockAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(IdempotencyStatus.Started, (await store.TryBeginAsync("short", Lease)).Status);
        Assert.Equal(IdempotencyStatus.AlreadyProcessed, (await store.TryBeginAsync("long", Lease)).Status);
    }

    [Fact]
    public async Task ReleaseAsync_HolderReleases_KeyCanStartAgain()
    {
        IIdempotencyStore store = CreateStore();
        IdempotencyBeginResult begin = await store.TryBeginAsync("k", Lease);
        Assert.True(await store.ReleaseAsync("k", begin.Token));
        Assert.Equal(IdempotencyStatus.Started, (await store.TryBeginAsync("k", Lease)).Status);
    }

    [Fact]
    public async Task LeaseExpiry_CrashedWorker_AnotherTakesOverAndStaleTokenIsFenced()
    {
        IIdempotencyStore store = CreateStore();
        IdempotencyBeginResult crashed = await store.TryBeginAsync("k", Lease);

        await AdvanceStoreClockAsync(Lease + TimeSpan.FromSeconds(1));
        IdempotencyBeginResult takeover = await store.TryBeginAsync("k", Lease);
        Assert.Equal(IdempotencyStatus.Started, takeover.Status);
        Assert.NotEqual(crashed.Token, takeover.Token);

        Assert.False(await store.CompleteAsync("k", crashed.Token, Retention));
        Assert.False(await store.ReleaseAsync("k", crashed.Token));
        Assert.True(await store.CompleteAsync("k", takeover.Token, Retention));
        Assert.Equal(IdempotencyStatus.AlreadyProcessed, (await store.TryBeginAsync("k", Lease)).Status);
    }

    [Fact]
    public async Task CompleteAsync_LeaseExpiredEvenIfNotTaken_Refused()
    {
        IIdempotencyStore store = CreateStore();
        IdempotencyBeginResult begin = await store.TryBeginAsync("k", Lease);
        await AdvanceStoreClockAsync(Lease);
        Assert.False(await store.CompleteAsync("k", begin.Token, Retention));
    }

    [Fact]
    public async Task CompleteAndRelease_WrongToken_Refused()
    {
        IIdempotencyStore store = CreateStore();
        IdempotencyBeginResult begin = await store.TryBeginAsync("k", Lease);
        Assert.False(await store.CompleteAsync("k", begin.Token + 1, Retention));
        Assert.False(await store.ReleaseAsync("k", begin.Token + 1));
        Assert.False(await store.CompleteAsync("other", begin.Token, Retention));
        Assert.True(await store.CompleteAsync("k", begin.Token, Retention));
        Assert.False(await store.ReleaseAsync("k", begin.Token));
    }

    [Fact]
    public async Task SixtyFourConcurrentWorkers_OneKey_WorkRunsOnce()
    {
        IIdempotencyStore store = CreateStore();
        int runs = 0;
        using var gate = new ManualResetEventSlim(false);
        Task[] workers = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            IdempotencyBeginResult begin = await store.TryBeginAsync("evt", Lease);
            if (begin.Status == IdempotencyStatus.Started)
            {
                Interlocked.Increment(ref runs);
                await Task.Yield();
                Assert.True(await store.CompleteAsync("evt", begin.Token, Retention));
            }
        })).ToArray();

        gate.Set();
        await Task.WhenAll(workers);
        Assert.Equal(1, runs);
    }
}
