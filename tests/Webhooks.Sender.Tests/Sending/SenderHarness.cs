using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Tests.TestSupport;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Sending;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Tests.Sending;

/// <summary>One request as the fake endpoint saw it.</summary>
public sealed record ReceivedRequest(DateTimeOffset At, Uri Uri, Dictionary<string, string> Headers, byte[] Body);

/// <summary>A subscriber's endpoint in memory: answers with the next scripted response (200 when none is left) and records every request.</summary>
public sealed class FakeEndpoint(TimeProvider clock) : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<CancellationToken, Task<HttpResponseMessage>>> _script = new();

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public void Answer(HttpStatusCode status, Action<HttpResponseMessage>? shape = null) => _script.Enqueue(_ =>
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent("answer " + (int)status) };
        shape?.Invoke(response);
        return Task.FromResult(response);
    });

    /// <summary>Never answers: the request waits until it is cancelled.</summary>
    public void Hang() => _script.Enqueue(async cancellationToken =>
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
        {
            headers[header.Key] = string.Join(",", header.Value);
        }

        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content!.Headers)
        {
            headers[header.Key] = string.Join(",", header.Value);
        }

        byte[] body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        Requests.Enqueue(new ReceivedRequest(clock.GetUtcNow(), request.RequestUri!, headers, body));
        return _script.TryDequeue(out Func<CancellationToken, Task<HttpResponseMessage>>? next)
            ? await next(cancellationToken)
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") };
    }
}

/// <summary>A sender host on a fake clock and a fake endpoint, run until its dispatcher is idle between steps of the clock.</summary>
public sealed class SenderHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;
    private readonly WebhookSendingService _sending;

    private SenderHarness(ServiceProvider provider, FakeTimeProvider clock, FakeEndpoint endpoint)
    {
        _provider = provider;
        Clock = clock;
        Endpoint = endpoint;
        _sending = provider.GetServices<IHostedService>().OfType<WebhookSendingService>().Single();
    }

    public FakeTimeProvider Clock { get; }

    public FakeEndpoint Endpoint { get; }

    public WebhookSubscriptions Subscriptions => _provider.GetRequiredService<WebhookSubscriptions>();

    public IWebhookPublisher Publisher => _provider.GetRequiredService<IWebhookPublisher>();

    public IWebhookDeliveryLog Log => _provider.GetRequiredService<IWebhookDeliveryLog>();

    public IServiceProvider Services => _provider;

    internal WebhookOutbox Outbox => _provider.GetRequiredService<WebhookOutbox>();

    /// <summary>Starts a sending process; with <paramref name="start"/> false its dispatcher waits for <see cref="StartSendingAsync"/>.</summary>
    public static async Task<SenderHarness> StartAsync(Action<WebhookSenderOptions>? configure = null, Action<IServiceCollection>? services = null, bool start = true)
    {
        var clock = new FakeTimeProvider(Start);
        var endpoint = new FakeEndpoint(clock);
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        collection.AddMetrics();
        collection.AddSingleton<TimeProvider>(clock);
        collection.AddWebhookSender(options =>
        {
            options.AllowInsecureDevelopmentEndpoints = true;
            options.RetryJitter = 0;
            configure?.Invoke(options);
        });
        collection.AddHttpClient(WebhookDeliverySender.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => endpoint);
        var harness = new SenderHarness(collection.BuildServiceProvider(validateScopes: true), clock, endpoint);
        if (start)
        {
            await harness.StartSendingAsync();
        }

        return harness;
    }

    public Task StartSendingAsync() => _sending.StartAsync(CancellationToken.None);

    public async Task<WebhookSubscriptionCreated> SubscribeAsync(params string[] eventTypes) =>
        await Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = "http://127.0.0.1:9/hook", EventTypes = eventTypes.Length == 0 ? ["*"] : eventTypes });

    /// <summary>Waits until the sending dispatcher has nothing to do until the clock moves (as the receiver's harness does).</summary>
    public Task RunUntilIdleAsync() => PipelineHarness.WaitUntilIdleAsync(() => _sending.Queue.Dispatcher.IsIdle);

    /// <summary>Moves the clock by <paramref name="by"/> in steps of <paramref name="stepSeconds"/> seconds (one by default), running until idle after each.</summary>
    public async Task AdvanceAsync(TimeSpan by, int stepSeconds = 1)
    {
        await RunUntilIdleAsync();
        TimeSpan step = TimeSpan.FromSeconds(stepSeconds);
        for (TimeSpan moved = TimeSpan.Zero; moved < by; moved += step)
        {
            Clock.Advance(step < by - moved ? step : by - moved);
            await RunUntilIdleAsync();
        }
    }

    /// <summary>Waits in real time, bounded, for the endpoint to have seen <paramref name="count"/> requests.</summary>
    public Task WaitForRequestsAsync(int count) =>
        PipelineHarness.WaitUntilAsync(() => Endpoint.Requests.Count >= count, $"the endpoint saw {count} requests");

    public async ValueTask DisposeAsync()
    {
        await _sending.StopAsync(CancellationToken.None);
        await _provider.DisposeAsync();
    }
}
