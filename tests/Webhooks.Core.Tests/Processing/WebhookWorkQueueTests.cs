using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Processing;

/// <summary>The work queue as a user builds one outside the receiver: over a store of their choosing, with their handlers.</summary>
public sealed class WebhookWorkQueueTests
{
    [Fact]
    public async Task MadeByHand_WorksOffItsStore_AndRetriesAFailure()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new InMemoryEventStore(time);
        var seen = new Seen();
        var services = new ServiceCollection().AddSingleton(seen).AddScoped<FailsOnceHandler>().BuildServiceProvider();
        using var queue = new WebhookWorkQueue(
            store,
            [new WebhookHandlerRegistration("jobs", WebhookHandlerRegistration.Any, typeof(FailsOnceHandler))],
            new WebhookWorkQueueOptions { Concurrency = 2, PollInterval = TimeSpan.FromSeconds(1) },
            services.GetRequiredService<IServiceScopeFactory>(),
            new ExponentialBackoffRetryPolicy(new RetryOptions { BaseDelay = TimeSpan.FromSeconds(10), UseJitter = false }),
            time,
            metricPrefix: "jobs");

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(WebhookEvent.Create("jobs", "j" + i, "run", [], "{}"u8.ToArray(), time.GetUtcNow())));
        }

        queue.Notify();
        await queue.StartAsync(CancellationToken.None);
        await PipelineHarness.WaitUntilIdleAsync(() => queue.Dispatcher.IsIdle);
        Assert.Equal(WebhookEventStatus.Failed, (await store.GetAsync("jobs:j1"))!.Status);

        time.Advance(TimeSpan.FromSeconds(11));
        await PipelineHarness.WaitUntilIdleAsync(() => queue.Dispatcher.IsIdle);
        foreach (string id in new[] { "jobs:j0", "jobs:j1", "jobs:j2" })
        {
            Assert.Equal(WebhookEventStatus.Processed, (await store.GetAsync(id))!.Status);
        }

        Assert.Equal(4, seen.Runs);
        await queue.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void BadArguments_NamedAtConstruction()
    {
        var store = new InMemoryEventStore();
        IServiceScopeFactory scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
        Assert.Throws<ArgumentNullException>("store", () => new WebhookWorkQueue(null!, [], new WebhookWorkQueueOptions(), scopes));
        Assert.Throws<ArgumentNullException>("options", () => new WebhookWorkQueue(store, [], null!, scopes));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => new WebhookWorkQueue(store, [], new WebhookWorkQueueOptions { Concurrency = 0 }, scopes));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => new WebhookWorkQueue(store, [], new WebhookWorkQueueOptions { LeaseDuration = TimeSpan.Zero }, scopes));
        Assert.Throws<ArgumentException>("handlerType", () => new WebhookHandlerRegistration("jobs", "*", typeof(string)));
    }

    private sealed class Seen
    {
        private int _runs;
        private readonly ConcurrentDictionary<string, bool> _failed = new(StringComparer.Ordinal);

        public int Runs => Volatile.Read(ref _runs);

        /// <summary>Counts a run; true the first time event j1 is run.</summary>
        public bool Run(string id)
        {
            Interlocked.Increment(ref _runs);
            return id == "jobs:j1" && _failed.TryAdd(id, true);
        }
    }

    private sealed class FailsOnceHandler(Seen seen) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) =>
            seen.Run(webhookEvent.Id) ? throw new InvalidOperationException("first run fails") : Task.CompletedTask;
    }
}
