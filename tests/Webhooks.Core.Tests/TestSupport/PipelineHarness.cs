using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Idempotency;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.Tests.TestSupport;

/// <summary>What the scripted handlers do on each call; calls are numbered from 1 per event id and handler.</summary>
public sealed class HandlerScript
{
    private readonly ConcurrentDictionary<string, int> _calls = new();

    public Func<WebhookEvent, int, CancellationToken, Task> Behaviour { get; set; } = (_, _, _) => Task.CompletedTask;

    public Func<WebhookEvent, int, CancellationToken, Task> SecondBehaviour { get; set; } = (_, _, _) => Task.CompletedTask;

    public ConcurrentQueue<(string Id, int Call, DateTimeOffset At)> Log { get; } = new();

    public int CallsFor(string id) => _calls.TryGetValue(id, out int n) ? n : 0;

    public int SecondCallsFor(string id) => _calls.TryGetValue("second|" + id, out int n) ? n : 0;

    internal Task RunAsync(WebhookEvent e, DateTimeOffset now, CancellationToken token)
    {
        int call = _calls.AddOrUpdate(e.Id, 1, static (_, n) => n + 1);
        Log.Enqueue((e.Id, call, now));
        return Behaviour(e, call, token);
    }

    internal Task RunSecondAsync(WebhookEvent e, CancellationToken token) =>
        SecondBehaviour(e, _calls.AddOrUpdate("second|" + e.Id, 1, static (_, n) => n + 1), token);
}

public sealed class ScriptedHandler(HandlerScript script, TimeProvider clock) : IWebhookHandler
{
    public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) => script.RunAsync(webhookEvent, clock.GetUtcNow(), cancellationToken);
}

public sealed class SecondScriptedHandler(HandlerScript script) : IWebhookHandler
{
    public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) => script.RunSecondAsync(webhookEvent, cancellationToken);
}

/// <summary>Returns the delays it is given, in order, then gives up; records what it was asked.</summary>
public sealed class ListRetryPolicy(params TimeSpan[] delays) : IRetryPolicy
{
    public ConcurrentQueue<int> Asked { get; } = new();

    public TimeSpan? GetRetryDelay(int attempts, Exception exception)
    {
        Asked.Enqueue(attempts);
        return exception is WebhookPermanentFailureException || attempts > delays.Length ? null : delays[attempts - 1];
    }
}

/// <summary>
/// One receiver process with the real dispatcher, over a fake clock, started as a host would start it. Several harnesses can
/// share one clock and one set of stores (several processes on one store); <see cref="RunUntilIdleAsync"/> then waits for all of them.
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted = [];
    private readonly List<PipelineHarness> _group;
    private bool _running;

    private PipelineHarness(ServiceProvider provider, FakeTimeProvider clock, HandlerScript script, List<PipelineHarness> group)
    {
        _provider = provider;
        Clock = clock;
        Script = script;
        _group = group;
        lock (_group)
        {
            _group.Add(this);
        }
    }

    public FakeTimeProvider Clock { get; }

    public HandlerScript Script { get; }

    public IServiceProvider Services => _provider;

    public IWebhookEventStore Store => _provider.GetRequiredService<IWebhookEventStore>();

    public IIdempotencyStore Idempotency => _provider.GetRequiredService<IIdempotencyStore>();

    public WebhookPipeline Pipeline => _provider.GetRequiredService<WebhookPipeline>();

    internal WebhookDispatcher Dispatcher => (WebhookDispatcher)_hosted.Find(h => h is WebhookDispatcher)!;

    /// <summary>Starts a process; with <paramref name="sharedWith"/>, one more process over that harness's clock and stores.</summary>
    public static async Task<PipelineHarness> StartAsync(
        HandlerScript? script = null,
        IRetryPolicy? retryPolicy = null,
        IWebhookEventStore? store = null,
        IIdempotencyStore? idempotency = null,
        Action<WebhookReceiverOptions>? configure = null,
        Action<IWebhookReceiverBuilder>? handlers = null,
        PipelineHarness? sharedWith = null,
        Action<IServiceCollection>? services = null,
        bool start = true)
    {
        FakeTimeProvider clock = sharedWith?.Clock ?? new FakeTimeProvider(Start);
        script ??= sharedWith?.Script ?? new HandlerScript();
        var collection = new ServiceCollection();
        collection.AddMetrics();
        collection.AddSingleton<TimeProvider>(clock);
        services?.Invoke(collection);
        if (Environment.GetEnvironmentVariable("WEBHOOKS_TEST_LOGS") == "1")
        {
            collection.AddLogging(b => b.AddConsole().SetMinimumLevel(LogLevel.Debug));
        }

        collection.AddSingleton(script);
        if ((store ?? sharedWith?.Store) is { } sharedStore)
        {
            collection.AddSingleton(sharedStore);
        }

        if ((idempotency ?? sharedWith?.Idempotency) is { } sharedLedger)
        {
            collection.AddSingleton(sharedLedger);
        }

        if (retryPolicy is not null)
        {
            collection.AddSingleton(retryPolicy);
        }

        IWebhookReceiverBuilder builder = collection.AddWebhookReceiver(options =>
        {
            options.Processing.Concurrency = 4;
            options.Processing.PollInterval = PollInterval;
            options.Processing.LeaseDuration = Lease;
            configure?.Invoke(options);
        });
        if (handlers is null)
        {
            builder.AddHandler<ScriptedHandler>("github", "push");
        }
        else
        {
            handlers(builder);
        }

        var harness = new PipelineHarness(collection.BuildServiceProvider(validateScopes: true), clock, script, sharedWith?._group ?? []);
        harness._hosted.AddRange(harness._provider.GetServices<IHostedService>());
        if (start)
        {
            await harness.StartHostedAsync();
        }

        return harness;
    }

    public static WebhookEvent Event(string deliveryId, string type = "push", string body = "{\"ref\":\"main\"}") =>
        WebhookEvent.Create("github", deliveryId, type, new Dictionary<string, string> { ["X-GitHub-Event"] = type }, Encoding.UTF8.GetBytes(body), Start);

    public async Task StartHostedAsync()
    {
        foreach (IHostedService service in _hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        _running = true;
    }

    /// <summary>
    /// Waits until every started dispatcher sharing this clock is idle: no attempt running, no wake-up pending, each waiting
    /// for its poll timer. Nothing more happens then until the clock moves. Fails if that state is not reached in real time.
    /// </summary>
    /// <param name="only">Wait for these processes only (the others may be stuck on purpose); all of the group when empty.</param>
    public Task RunUntilIdleAsync(params PipelineHarness[] only) => WaitUntilIdleAsync(() => AllIdle(only));

    /// <summary>
    /// Waits until <paramref name="idle"/> has held on three looks in a row, a millisecond apart (the dispatcher gives no signal
    /// when it settles; the looks only wait for a state after which nothing happens until the clock moves). Fails after 15 s.
    /// Every harness over a dispatcher (the receiver's, the sender's) waits this way.
    /// </summary>
    public static async Task WaitUntilIdleAsync(Func<bool> idle)
    {
        var watch = Stopwatch.StartNew();
        int stable = 0;
        while (stable < 3)
        {
            stable = idle() ? stable + 1 : 0;
            if (watch.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException("The dispatcher never became idle (a handler still running, or a store call that never returns).");
            }

            await Task.Delay(1);
        }
    }

    /// <summary>Moves the clock forward by <paramref name="by"/> in steps of at most <paramref name="step"/> (the poll interval by default), running until idle after each.</summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan? step = null, params PipelineHarness[] only)
    {
        await RunUntilIdleAsync(only);
        TimeSpan stride = step ?? PollInterval;
        for (TimeSpan moved = TimeSpan.Zero; moved < by; moved += stride)
        {
            Clock.Advance(stride < by - moved ? stride : by - moved);
            await RunUntilIdleAsync(only);
        }
    }

    /// <summary>Moves the clock poll by poll, running until idle each time, until the event satisfies <paramref name="condition"/>; fails after <paramref name="within"/> of fake time.</summary>
    public async Task<WebhookEventSummary> AdvanceUntilAsync(string id, Func<WebhookEventSummary, bool> condition, TimeSpan? within = null)
    {
        DateTimeOffset deadline = Clock.GetUtcNow() + (within ?? TimeSpan.FromHours(1));
        await RunUntilIdleAsync();
        while (true)
        {
            WebhookEventSummary? e = await Store.GetAsync(id);
            if (e is not null && condition(e))
            {
                return e;
            }

            if (Clock.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"{id} never reached the expected state; last: {e?.Status} attempts {e?.Attempts} error {e?.LastError}");
            }

            Clock.Advance(PollInterval);
            await RunUntilIdleAsync();
        }
    }

    /// <summary>Waits in real time, bounded, for a condition that the test's own handlers make true (for example "the handler has started").</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>Waits in real time, bounded, for a condition read from a store (for example "the due renewal has landed").</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            // Generous: under a full parallel test run a thread-pool continuation can wait seconds to be scheduled.
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("Never happened: " + what);
            }

            await Task.Delay(1);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_running)
        {
            return;
        }

        _running = false;
        foreach (IHostedService service in _hosted)
        {
            await service.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Bounded, so that a failing test never hangs here: as a host whose shutdown timeout passed at once, then the
        // write-back wait on the fake clock runs out if a store call never returns.
        using var timedOut = new CancellationTokenSource();
        await timedOut.CancelAsync();
        Task stopping = StopAsync(timedOut.Token);
        var watch = Stopwatch.StartNew();
        while (!stopping.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        await stopping;
        await _provider.DisposeAsync();
        lock (_group)
        {
            _group.Remove(this);
        }
    }

    private bool AllIdle(PipelineHarness[] only)
    {
        lock (_group)
        {
            foreach (PipelineHarness member in only.Length > 0 ? (IEnumerable<PipelineHarness>)only : _group)
            {
                if (member._running && !member.Dispatcher.IsIdle)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
