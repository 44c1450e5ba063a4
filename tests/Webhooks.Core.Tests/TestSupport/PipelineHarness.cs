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
using Webhooks.Idempotency;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.Tests.TestSupport;

/// <summary>What the test handler does on each call; calls are numbered from 1 per event id.</summary>
public sealed class HandlerScript
{
    private readonly ConcurrentDictionary<string, int> _calls = new();

    public Func<WebhookEvent, int, CancellationToken, Task> Behaviour { get; set; } = (_, _, _) => Task.CompletedTask;

    public ConcurrentQueue<(string Id, int Call, DateTimeOffset At)> Log { get; } = new();

    public int CallsFor(string id) => _calls.TryGetValue(id, out int n) ? n : 0;

    internal Task RunAsync(WebhookEvent e, DateTimeOffset now, CancellationToken token)
    {
        int call = _calls.AddOrUpdate(e.Id, 1, static (_, n) => n + 1);
        Log.Enqueue((e.Id, call, now));
        return Behaviour(e, call, token);
    }
}

public sealed class ScriptedHandler(HandlerScript script, TimeProvider clock) : IWebhookHandler
{
    public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) => script.RunAsync(webhookEvent, clock.GetUtcNow(), cancellationToken);
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

/// <summary>A receiver with the real dispatcher, over a manual clock, started as a host would start it.</summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted = [];

    private PipelineHarness(ServiceProvider provider, ManualTimeProvider clock, HandlerScript script)
    {
        _provider = provider;
        Clock = clock;
        Script = script;
    }

    public ManualTimeProvider Clock { get; }

    public HandlerScript Script { get; }

    public IEventStore Store => _provider.GetRequiredService<IEventStore>();

    public IIdempotencyStore Idempotency => _provider.GetRequiredService<IIdempotencyStore>();

    public WebhookPipeline Pipeline => _provider.GetRequiredService<WebhookPipeline>();

    internal WebhookDispatcher Dispatcher => (WebhookDispatcher)_hosted.Find(h => h is WebhookDispatcher)!;

    public static async Task<PipelineHarness> StartAsync(
        HandlerScript? script = null,
        IRetryPolicy? retryPolicy = null,
        ManualTimeProvider? clock = null,
        IEventStore? store = null,
        IIdempotencyStore? idempotency = null,
        Action<WebhookReceiverOptions>? configure = null,
        bool start = true)
    {
        clock ??= new ManualTimeProvider();
        script ??= new HandlerScript();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        if (Environment.GetEnvironmentVariable("WEBHOOKS_TEST_LOGS") == "1")
        {
            services.AddLogging(b => b.AddConsole().SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug));
        }
        services.AddSingleton(script);
        if (store is not null)
        {
            services.AddSingleton(store);
        }

        if (idempotency is not null)
        {
            services.AddSingleton(idempotency);
        }

        if (retryPolicy is not null)
        {
            services.AddSingleton(retryPolicy);
        }

        services.AddWebhookReceiver(options =>
        {
            options.Processing.Concurrency = 4;
            options.Processing.PollInterval = TimeSpan.FromSeconds(1);
            options.Processing.LeaseDuration = TimeSpan.FromSeconds(30);
            configure?.Invoke(options);
        }).AddHandler<ScriptedHandler>("github", "push");

        var harness = new PipelineHarness(services.BuildServiceProvider(validateScopes: true), clock, script);
        harness._hosted.AddRange(harness._provider.GetServices<IHostedService>());
        if (start)
        {
            await harness.StartHostedAsync();
        }

        return harness;
    }

    public async Task StartHostedAsync()
    {
        foreach (IHostedService service in _hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    public static WebhookEvent Event(string deliveryId, string type = "push", string body = "{\"ref\":\"main\"}", DateTimeOffset? at = null) =>
        WebhookEvent.Create("github", deliveryId, type, new Dictionary<string, string> { ["X-GitHub-Event"] = type }, Encoding.UTF8.GetBytes(body), at ?? DateTimeOffset.UnixEpoch);

    /// <summary>Moves the clock in steps (letting woken work run between them) until the stored event satisfies <paramref name="condition"/>.</summary>
    public async Task<WebhookEvent> WaitForAsync(string id, Func<WebhookEvent, bool> condition, TimeSpan? step = null, TimeSpan? realTimeout = null)
    {
        var stopwatch = Stopwatch.StartNew();
        TimeSpan limit = realTimeout ?? TimeSpan.FromSeconds(20);
        while (true)
        {
            WebhookEvent? e = await Store.GetAsync(id);
            if (e is not null && condition(e))
            {
                return e;
            }

            if (stopwatch.Elapsed > limit)
            {
                throw new TimeoutException($"{id} never reached the expected state; last: {e?.Status} attempts {e?.Attempts} error {e?.LastError}");
            }

            Clock.Advance(step ?? TimeSpan.FromMilliseconds(250));
            await Task.Delay(5);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        foreach (IHostedService service in _hosted)
        {
            await service.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _provider.DisposeAsync();
    }
}
