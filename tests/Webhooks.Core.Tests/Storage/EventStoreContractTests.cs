using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Storage;

/// <summary>The behaviour every <see cref="IEventStore"/> must have; each store's test class derives from this one.</summary>
public abstract class EventStoreContractTests
{
    protected ManualTimeProvider Clock { get; } = new();

    protected abstract IEventStore CreateStore();

    protected WebhookEvent NewEvent(string deliveryId, string body = "{\"a\":1}", string source = "github") =>
        WebhookEvent.Create(source, deliveryId, "push", new Dictionary<string, string> { ["X-GitHub-Event"] = "push" }, Encoding.UTF8.GetBytes(body), Clock.GetUtcNow());

    [Fact]
    public async Task AppendAsync_New_AppendedAndReadable()
    {
        IEventStore store = CreateStore();
        byte[] body = Encoding.UTF8.GetBytes("{\r\n \"é\": \"x\" }  ");
        WebhookEvent e = WebhookEvent.Create("github", "d1", "push", [], body, Clock.GetUtcNow());

        Assert.Equal(EventAppendResult.Appended, await store.AppendAsync(e));
        WebhookEvent? read = await store.GetAsync("github:d1");
        Assert.NotNull(read);
        Assert.Equal(body, read.Body.ToArray());
        Assert.Equal(WebhookEventStatus.Queued, read.Status);
        Assert.Equal("push", read.EventType);
    }

    [Fact]
    public async Task AppendAsync_SameIdSameBody_Duplicate()
    {
        IEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        Assert.Equal(EventAppendResult.Duplicate, await store.AppendAsync(NewEvent("d1")));
    }

    [Fact]
    public async Task AppendAsync_SameIdOtherBody_ConflictingAndStoredUnchanged()
    {
        IEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1", "{\"a\":1}"));
        Assert.Equal(EventAppendResult.ConflictingDuplicate, await store.AppendAsync(NewEvent("d1", "{\"a\":2}")));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString((await store.GetAsync("github:d1"))!.Body.Span));
    }

    [Fact]
    public async Task AppendAsync_ThousandConcurrentSameId_ExactlyOneAppended()
    {
        IEventStore store = CreateStore();
        EventAppendResult[] results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(async () => await store.AppendAsync(NewEvent("same")))));
        Assert.Equal(1, results.Count(r => r == EventAppendResult.Appended));
        Assert.Equal(999, results.Count(r => r == EventAppendResult.Duplicate));
    }

    [Fact]
    public async Task GetAsync_Unknown_Null()
    {
        Assert.Null(await CreateStore().GetAsync("github:none"));
    }

    [Fact]
    public async Task UpdateAsync_ExpectationsMatch_Applied()
    {
        IEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookEvent stored = (await store.GetAsync("github:d1"))!;
        WebhookEvent? updated = await store.UpdateAsync(stored.Id, WebhookEventUpdate.From(stored) with { Status = WebhookEventStatus.Failed, Attempts = 1, LastError = "boom", NextAttemptAt = Clock.GetUtcNow().AddMinutes(1) });

        Assert.NotNull(updated);
        WebhookEvent read = (await store.GetAsync("github:d1"))!;
        Assert.Equal(WebhookEventStatus.Failed, read.Status);
        Assert.Equal(1, read.Attempts);
        Assert.Equal("boom", read.LastError);
        Assert.Equal(stored.Body.ToArray(), read.Body.ToArray());
    }

    [Fact]
    public async Task UpdateAsync_StaleExpectation_NotApplied()
    {
        IEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookEvent stored = (await store.GetAsync("github:d1"))!;
        await store.UpdateAsync(stored.Id, WebhookEventUpdate.From(stored) with { Status = WebhookEventStatus.Processing, Attempts = 1 });

        Assert.Null(await store.UpdateAsync(stored.Id, WebhookEventUpdate.From(stored) with { Status = WebhookEventStatus.Dead }));
        Assert.Equal(WebhookEventStatus.Processing, (await store.GetAsync("github:d1"))!.Status);
        Assert.Null(await store.UpdateAsync("github:none", WebhookEventUpdate.From(stored)));
    }

    [Fact]
    public async Task ListAsync_ByStatusPaged_OldestFirstAllReturnedOnce()
    {
        IEventStore store = CreateStore();
        for (int i = 0; i < 7; i++)
        {
            await store.AppendAsync(NewEvent("d" + i));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        WebhookEvent third = (await store.GetAsync("github:d3"))!;
        await store.UpdateAsync(third.Id, WebhookEventUpdate.From(third) with { Status = WebhookEventStatus.Dead });

        var seen = new List<string>();
        string? token = null;
        do
        {
            WebhookEventPage page = await store.ListAsync(WebhookEventStatus.Queued, 2, token);
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(e => e.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(["github:d0", "github:d1", "github:d2", "github:d4", "github:d5", "github:d6"], seen);
        Assert.Equal(["github:d3"], (await store.ListAsync(WebhookEventStatus.Dead, 10)).Items.Select(e => e.Id));
        Assert.Equal(7, (await store.ListAsync(null, 100)).Items.Count);
    }

    [Fact]
    public async Task GetDueAsync_QueuedDueFailedAndExpiredProcessing_OnlyThose()
    {
        IEventStore store = CreateStore();
        DateTimeOffset now = Clock.GetUtcNow();
        foreach (string id in new[] { "queued", "failed-due", "failed-later", "processing-expired", "processing-live", "processed", "dead" })
        {
            await store.AppendAsync(NewEvent(id));
        }

        await SetAsync(store, "github:failed-due", WebhookEventStatus.Failed, nextAttempt: now.AddSeconds(-1));
        await SetAsync(store, "github:failed-later", WebhookEventStatus.Failed, nextAttempt: now.AddMinutes(5));
        await SetAsync(store, "github:processing-expired", WebhookEventStatus.Processing, lease: now.AddSeconds(-1));
        await SetAsync(store, "github:processing-live", WebhookEventStatus.Processing, lease: now.AddMinutes(5));
        await SetAsync(store, "github:processed", WebhookEventStatus.Processed, completed: now);
        await SetAsync(store, "github:dead", WebhookEventStatus.Dead, completed: now);

        IReadOnlyList<string> due = await store.GetDueAsync(now, 100);
        Assert.Equal(["github:queued", "github:failed-due", "github:processing-expired"], due);
        Assert.Single(await store.GetDueAsync(now, 1));
    }

    [Fact]
    public async Task DeleteAsync_Existing_Removed()
    {
        IEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        Assert.True(await store.DeleteAsync("github:d1"));
        Assert.False(await store.DeleteAsync("github:d1"));
        Assert.Null(await store.GetAsync("github:d1"));
    }

    protected static async Task SetAsync(IEventStore store, string id, WebhookEventStatus status, DateTimeOffset? nextAttempt = null, DateTimeOffset? lease = null, DateTimeOffset? completed = null)
    {
        WebhookEvent e = (await store.GetAsync(id))!;
        WebhookEvent? updated = await store.UpdateAsync(id, WebhookEventUpdate.From(e) with { Status = status, NextAttemptAt = nextAttempt, LeaseExpiresAt = lease, CompletedAt = completed, Attempts = e.Attempts + 1 });
        Assert.NotNull(updated);
    }
}
