using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Processing;

/// <summary>Claims taken ahead of free workers: started when a worker frees, given back when they waited too long or at shutdown.</summary>
public partial class WebhookDispatcherTests
{
    [Fact]
    public async Task ClaimsTakenAhead_WaitedHalfALease_GivenBackUncountedThenRunOnce()
    {
        using var release = new SemaphoreSlim(0);
        var script = new HandlerScript { Behaviour = async (e, _, _) => { if (e.Id == "github:slow") { await release.WaitAsync(CancellationToken.None); } } };
        await using PipelineHarness owner = await PipelineHarness.StartAsync(script, start: false);
        var store = new InterceptingEventStore(owner.Store);
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, store: store, sharedWith: owner, configure: o => o.Processing.Concurrency = 1, start: false);
        foreach (string id in new[] { "slow", "a", "b", "c" })
        {
            await h.Store.AppendAsync(PipelineHarness.Event(id));
        }

        // One worker: the first claim starts "slow" and takes two more ahead of a free worker.
        await h.StartHostedAsync();
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:slow") == 1, "slow started");
        await PipelineHarness.WaitUntilAsync(async () => (await h.Store.CountAsync()).Processing == 3, "two claims taken ahead");

        // They wait past half their lease (the slow handler's own lease is renewed meanwhile): not started, but given back.
        await AdvanceBusyAsync(h, (Lease / 2) + TimeSpan.FromSeconds(1));
        release.Release();
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));

        foreach (string id in new[] { "github:slow", "github:a", "github:b", "github:c" })
        {
            WebhookEventSummary e = (await h.Store.GetAsync(id))!;
            Assert.Equal((WebhookEventStatus.Processed, 1), (e.Status, e.Attempts));
            Assert.Equal(1, script.CallsFor(id));
        }

        Assert.Equal(2, store.Seen.Count(o => o == StoreOperation.Release));
    }

    [Fact]
    public async Task ClaimsTakenAhead_AtShutdown_GivenBackUncounted()
    {
        var script = new HandlerScript { Behaviour = async (e, _, token) => { if (e.Id == "github:slow") { await Task.Delay(Timeout.Infinite, token); } } };
        PipelineHarness h = await PipelineHarness.StartAsync(script, configure: o => o.Processing.Concurrency = 1, start: false);
        foreach (string id in new[] { "slow", "a", "b" })
        {
            await h.Store.AppendAsync(PipelineHarness.Event(id));
        }

        await h.StartHostedAsync();
        await PipelineHarness.WaitUntilAsync(async () => (await h.Store.CountAsync()).Processing == 3, "slow running, two claims taken ahead");
        IWebhookEventStore store = h.Store;
        await using (h)
        {
            // Disposing stops the host as one whose shutdown timeout passed: the slow handler is cancelled and given back.
        }

        foreach (string id in new[] { "github:slow", "github:a", "github:b" })
        {
            WebhookEventSummary e = (await store.GetAsync(id))!;
            Assert.Equal((WebhookEventStatus.Queued, 0), (e.Status, e.Attempts));
        }

        Assert.Equal(0, script.CallsFor("github:a") + script.CallsFor("github:b"));
    }
}
