using System;
using System.Collections.Generic;
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

    private static readonly KeyValuePair<string, string>[] Headers =
    [
        new("Host", "127.0.0.1:5192"),
        new("Content-Type", "application/json"),
        new("Content-Length", "1015"),
        new("User-Agent", "GitHub-Hookshot/bench"),
        new("X-GitHub-Event", "push"),
        new("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        new("X-GitHub-Hook-ID", "292430182"),
        new("X-Hub-Signature-256", "sha256=af5221448c9901d44ca49f05c1da174fc01799d31963207a45b37982f88a4286"),
    ];

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
            WebhookEvent webhookEvent = WebhookEvent.Create("github", deliveryId, "push", Headers, _body, DateTimeOffset.UtcNow);
            if (await _pipeline.AcceptAsync(webhookEvent).ConfigureAwait(false) != WebhookAcceptResult.Queued)
            {
                throw new InvalidOperationException("A new delivery was not queued.");
            }
        }

        await done.Task.ConfigureAwait(false);
    }

    /// <summary>Counts the events it is given; completes the waiting batch when its count is reached.</summary>
    private sealed class CountingHandler(CountingHandler.Counter counter) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
        {
            counter.Add();
            return Task.CompletedTask;
        }

        internal sealed class Counter
        {
            private TaskCompletionSource? _done;
            private int _remaining;

            public void Expect(int count, TaskCompletionSource done)
            {
                _done = done;
                Volatile.Write(ref _remaining, count);
            }

            public void Add()
            {
                if (Interlocked.Decrement(ref _remaining) == 0)
                {
                    _done!.TrySetResult();
                }
            }
        }
    }
}
