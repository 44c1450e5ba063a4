using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Processing;

namespace Webhooks.Benchmarks;

/// <summary>
/// The receiving pipeline behind the HTTP endpoint, with the in-memory stores: each operation is one verified delivery turned
/// into an event (its headers packed), saved, claimed by the dispatcher, run through one handler (its success recorded in the
/// idempotency store) and completed. Everything the library does per delivery after the signature check, the HTTP server aside.
/// Allocations are counted on every thread (the dispatcher's included); the stores keep every event, as they would for the
/// retention span.
/// </summary>
public class PipelineBenchmarks
{
    private const int Batch = 1000;

    private ServiceProvider _services = null!;
    private IHostedService[] _hosted = [];
    private WebhookPipeline _pipeline = null!;
    private CountingHandler.Counter _counter = null!;
    private readonly byte[] _body = BenchmarkData.Body(1024);
    private long _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var services = new ServiceCollection();
        services.AddWebhookReceiver(options =>
            {
                options.InMemory.MaxEvents = 10_000_000;
                options.InMemory.MaxBytes = 64L * 1024 * 1024 * 1024;
                options.InMemory.MaxIdempotencyKeys = 20_000_000;
            })
            .AddHandler<CountingHandler>("github", "push");
        services.AddSingleton<CountingHandler.Counter>();
        _services = services.BuildServiceProvider();
        _pipeline = _services.GetRequiredService<WebhookPipeline>();
        _counter = _services.GetRequiredService<CountingHandler.Counter>();
        _hosted = [.. _services.GetServices<IHostedService>()];
        foreach (IHostedService hosted in _hosted)
        {
            await hosted.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (IHostedService hosted in _hosted)
        {
            await hosted.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _services.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Accepts a thousand deliveries, then waits until the handler has run for each.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task AcceptAndProcessAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _counter.Expect(Batch, done);
        for (int i = 0; i < Batch; i++)
        {
            string deliveryId = (++_next).ToString(CultureInfo.InvariantCulture);
            WebhookEvent webhookEvent = WebhookEvent.Create("github", deliveryId, "push", BenchmarkData.GitHubHeaders, _body, DateTimeOffset.UtcNow);
            if (await _pipeline.AcceptAsync(webhookEvent).ConfigureAwait(false) != WebhookAcceptResult.Queued)
            {
                throw new InvalidOperationException("A new delivery was not queued.");
            }
        }

        await done.Task.ConfigureAwait(false);
    }
}
