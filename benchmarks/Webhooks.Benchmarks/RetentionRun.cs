using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Processing;

namespace Webhooks.Benchmarks;

/// <summary>
/// What keeping events costs the garbage collector: accepts and processes deliveries through the receiver's pipeline on the
/// in-memory stores (each event kept, as it is for the retention span) and prints, for every 250,000, the time per event and
/// the part of it the process spent paused in garbage collection, with the collections of each generation and the heap size.
/// Not a BenchmarkDotNet benchmark: the cost it shows grows with what the process holds, so it is read as the store fills.
/// <code>taskset -c 0 dotnet run -c Release --project benchmarks/Webhooks.Benchmarks -- retention [events] [body bytes]</code>
/// </summary>
internal static class RetentionRun
{
    private const int Batch = 1000;
    private const int Report = 250_000;

    public static async Task<int> RunAsync(string[] args)
    {
        int total = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000_000;
        int bodyLength = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1015;
        if (total < Report || bodyLength < 1)
        {
            await Console.Error.WriteLineAsync($"usage: retention [events, at least {Report}] [body bytes, at least 1]").ConfigureAwait(false);
            return 2;
        }

        var services = new ServiceCollection();
        services.AddWebhookReceiver(options =>
            {
                options.InMemory.MaxEvents = total + Batch;
                options.InMemory.MaxBytes = 64L * 1024 * 1024 * 1024;
                options.InMemory.MaxIdempotencyKeys = 2 * (total + Batch);
            })
            .AddHandler<CountingHandler>("github", "push");
        services.AddSingleton<CountingHandler.Counter>();
        ServiceProvider provider = services.BuildServiceProvider();
        await using var disposeProvider = provider.ConfigureAwait(false);
        WebhookPipeline pipeline = provider.GetRequiredService<WebhookPipeline>();
        CountingHandler.Counter counter = provider.GetRequiredService<CountingHandler.Counter>();
        IHostedService[] hosted = [.. provider.GetServices<IHostedService>()];
        foreach (IHostedService service in hosted)
        {
            await service.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }

        byte[] template = BenchmarkData.Body(bodyLength);
        await Console.Out.WriteLineAsync($"{total:N0} deliveries of {bodyLength:N0} bytes, kept; server GC: {System.Runtime.GCSettings.IsServerGC}, processors: {Environment.ProcessorCount}").ConfigureAwait(false);
        await Console.Out.WriteLineAsync("   events | µs/event | CPU µs/event | GC pause µs/event | pause share | collections gen0/1/2 | heap MB").ConfigureAwait(false);
        using var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        TimeSpan lastWall = TimeSpan.Zero;
        TimeSpan lastCpu = process.TotalProcessorTime;
        TimeSpan lastPause = GC.GetTotalPauseDuration();
        int[] lastCollections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        long next = 0;
        while (next < total)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            counter.Expect(Batch, done);
            for (int i = 0; i < Batch; i++)
            {
                // As the endpoint does: the body in an exact-size array of the event's own, a new delivery id each time.
                byte[] body = GC.AllocateUninitializedArray<byte>(bodyLength, pinned: true);
                template.CopyTo(body, 0);
                string deliveryId = string.Concat("bench-1765000000-0-", (++next).ToString(CultureInfo.InvariantCulture));
                WebhookEvent webhookEvent = WebhookEvent.Create("github", deliveryId, "push", BenchmarkData.GitHubHeaders, body, DateTimeOffset.UtcNow);
                if (await pipeline.AcceptAsync(webhookEvent).ConfigureAwait(false) != WebhookAcceptResult.Queued)
                {
                    throw new InvalidOperationException("A new delivery was not queued.");
                }
            }

            await done.Task.ConfigureAwait(false);
            if (next % Report == 0)
            {
                process.Refresh();
                TimeSpan wall = clock.Elapsed;
                TimeSpan cpu = process.TotalProcessorTime;
                TimeSpan pause = GC.GetTotalPauseDuration();
                int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
                await Console.Out.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{next,9:N0} | {PerEvent(wall - lastWall),8:F2} | {PerEvent(cpu - lastCpu),12:F2} | {PerEvent(pause - lastPause),17:F2} | {(pause - lastPause) / (wall - lastWall),10:P1} | {collections[0] - lastCollections[0],6}/{collections[1] - lastCollections[1]}/{collections[2] - lastCollections[2]} | {GC.GetTotalMemory(false) >> 20,7}")).ConfigureAwait(false);
                (lastWall, lastCpu, lastPause, lastCollections) = (wall, cpu, pause, collections);
            }
        }

        foreach (IHostedService service in hosted)
        {
            await service.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return 0;
    }

    private static double PerEvent(TimeSpan span) => span.TotalMicroseconds / Report;
}
