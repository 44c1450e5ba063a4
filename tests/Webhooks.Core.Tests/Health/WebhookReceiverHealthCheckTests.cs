using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Webhooks.Diagnostics;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Health;

public class WebhookReceiverHealthCheckTests
{
    [Fact]
    public async Task Healthy_ThenDegradedByADeadEvent_ThenHealthyOnceReplayed()
    {
        var script = new HandlerScript { Behaviour = (_, _, _) => throw new InvalidOperationException("broken") };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, new ListRetryPolicy(), services: AddChecks());
        HealthReportEntry entry = await CheckAsync(h);
        Assert.Equal(HealthStatus.Healthy, entry.Status);

        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.RunUntilIdleAsync();
        entry = await CheckAsync(h);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("1 dead", entry.Description, StringComparison.Ordinal);
        Assert.Equal(1L, entry.Data["dead"]);

        script.Behaviour = (_, _, _) => Task.CompletedTask;
        Assert.Equal(1, await h.Pipeline.ReplayDeadAsync(10));
        await h.RunUntilIdleAsync();
        entry = await CheckAsync(h);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1L, entry.Data["processed"]);
    }

    [Fact]
    public async Task DueEventsWaitingTooLong_Degraded_WithTheLag()
    {
        using var gate = new SemaphoreSlim(0);
        var script = new HandlerScript { Behaviour = async (e, _, _) => { if (e.Id == "github:slow") { await gate.WaitAsync(CancellationToken.None); } } };
        await using PipelineHarness h = await PipelineHarness.StartAsync(
            script,
            configure: o =>
            {
                // Long enough that nothing but the health check happens while the clock moves.
                o.Processing.Concurrency = 1;
                o.Processing.LeaseDuration = TimeSpan.FromMinutes(10);
                o.Processing.HandlerTimeout = TimeSpan.FromHours(1);
            },
            services: AddChecks(o => o.OldestDueAgeThreshold = TimeSpan.FromMinutes(1)));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("slow"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:slow") == 1, "the slow handler started");
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("waiting"));

        h.Clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(h)).Status);
        h.Clock.Advance(TimeSpan.FromSeconds(20));
        HealthReportEntry entry = await CheckAsync(h);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(70.0, (double)entry.Data["oldestDueAgeSeconds"]);

        gate.Release();
        await h.RunUntilIdleAsync();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(h)).Status);
    }

    [Fact]
    public async Task StoreDown_Unhealthy()
    {
        var store = new InterceptingEventStore(new InMemoryEventStore())
        {
            Before = (operation, _) => operation == StoreOperation.Count ? throw new WebhookStoreUnavailableException("down") : Task.CompletedTask,
        };
        await using PipelineHarness h = await PipelineHarness.StartAsync(store: store, services: AddChecks());
        HealthReportEntry entry = await CheckAsync(h);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<WebhookStoreUnavailableException>(entry.Exception);
    }

    [Fact]
    public async Task DispatcherStopped_Unhealthy()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync(services: AddChecks());
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(h)).Status);
        await h.StopAsync();
        HealthReportEntry entry = await CheckAsync(h);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("dispatcher", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gauges_EventsPerStatusAndOldestDueAge_SampledFromTheStore()
    {
        var script = new HandlerScript { Behaviour = (_, _, _) => throw new InvalidOperationException("broken") };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, new ListRetryPolicy());
        var meters = h.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var events = new MetricCollector<long>(meters, WebhookDiagnostics.Name, "webhooks.events");
        using var age = new MetricCollector<double>(meters, WebhookDiagnostics.Name, "webhooks.events.oldest_due_age");
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.RunUntilIdleAsync();

        // Nothing sampled yet: nothing reported rather than zeros.
        events.RecordObservableInstruments();
        Assert.Empty(events.GetMeasurementSnapshot());

        await h.AdvanceAsync(WebhookStoreStatistics.SampleInterval);
        await PipelineHarness.WaitUntilAsync(
            () =>
            {
                events.RecordObservableInstruments();
                return events.GetMeasurementSnapshot().Any(m => Equals(m.Tags["webhook.status"], "dead") && m.Value == 1);
            },
            "the dead event sampled");
        age.RecordObservableInstruments();
        Assert.Equal(0, age.LastMeasurement?.Value);
    }

    private static Action<IServiceCollection> AddChecks(Action<Webhooks.Health.WebhookHealthCheckOptions>? configure = null) => s =>
    {
        s.AddLogging();
        s.AddHealthChecks().AddWebhookReceiver(configure);
    };

    private static async Task<HealthReportEntry> CheckAsync(PipelineHarness h)
    {
        HealthReport report = await h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["webhooks"];
    }
}
