using System;
using System.Text;
using System.Threading.Tasks;
using Webhooks.Storage;

namespace Webhooks.Tests.Storage;

public class InMemoryEventStoreTests : EventStoreContractTests
{
    protected override IEventStore CreateStore() => new InMemoryEventStore(Clock);

    [Fact]
    public async Task AppendAsync_AtCapacity_ThrowsAndNeverEvictsInsideRetention()
    {
        var store = new InMemoryEventStore(Clock, maxEvents: 2, processedRetention: TimeSpan.FromHours(72));
        await store.AppendAsync(NewEvent("a"));
        await store.AppendAsync(NewEvent("b"));
        await SetAsync(store, "github:a", WebhookEventStatus.Processed, completed: Clock.GetUtcNow());

        WebhookStoreUnavailableException ex = await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.AppendAsync(NewEvent("c")));
        Assert.Contains("full", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(await store.GetAsync("github:a"));

        Clock.Advance(TimeSpan.FromHours(72) + TimeSpan.FromSeconds(1));
        Assert.Equal(EventAppendResult.Appended, await store.AppendAsync(NewEvent("c")));
        Assert.Null(await store.GetAsync("github:a"));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public async Task AppendAsync_DeadEventsKeptPastRetention()
    {
        var store = new InMemoryEventStore(Clock, processedRetention: TimeSpan.FromHours(1));
        await store.AppendAsync(NewEvent("dead"));
        await SetAsync(store, "github:dead", WebhookEventStatus.Dead, completed: Clock.GetUtcNow());
        Clock.Advance(TimeSpan.FromDays(30));
        await store.GetDueAsync(Clock.GetUtcNow(), 10);
        Assert.NotNull(await store.GetAsync("github:dead"));
    }

    [Fact]
    public async Task AppendAsync_CallerBufferReused_StoredBodyUnchanged()
    {
        var store = new InMemoryEventStore(Clock);
        byte[] buffer = Encoding.UTF8.GetBytes("{\"a\":1}");
        await store.AppendAsync(WebhookEvent.Create("github", "d", "push", [], buffer, Clock.GetUtcNow()));
        buffer[2] = (byte)'z';
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString((await store.GetAsync("github:d"))!.Body.Span));
    }

    [Fact]
    public void Constructor_InvalidLimits_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>("maxEvents", () => new InMemoryEventStore(maxEvents: 0));
        Assert.Throws<ArgumentOutOfRangeException>("processedRetention", () => new InMemoryEventStore(processedRetention: TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task ListAsync_ForeignToken_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>("continuationToken", async () => await new InMemoryEventStore().ListAsync(null, 10, "abc"));
    }
}
