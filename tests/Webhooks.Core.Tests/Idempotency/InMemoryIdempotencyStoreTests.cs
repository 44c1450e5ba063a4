using System;
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
    public async Task TryBeginAsync_InvalidArguments_Throw()
    {
        var store = new InMemoryIdempotencyStore(Clock);
        await Assert.ThrowsAsync<ArgumentNullException>("key", async () => await store.TryBeginAsync(null!, TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("lease", async () => await store.TryBeginAsync("k", TimeSpan.Zero));
    }
}
