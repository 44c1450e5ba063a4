using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.AspNetCore.Tests;

public sealed class HandlerCalls
{
    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public int For(string id) => Calls.TryGetValue(id, out int n) ? n : 0;
}

public sealed class CountingHandler(HandlerCalls calls) : IWebhookHandler
{
    public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        calls.Calls.AddOrUpdate(webhookEvent.Id, 1, static (_, n) => n + 1);
        return Task.CompletedTask;
    }
}

/// <summary>A receiver on the test server: GitHub, Stripe and the Standard Webhooks source "acme" (from configuration alone), with admin endpoints.</summary>
public sealed class ReceiverHost : IAsyncDisposable
{
    public const string GitHubSecret = "gh-test-secret";
    public const string StripeSecret = "whsec_stripe_test_secret";
    public const string AcmeSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private readonly MeterListener _outcomes = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ReceiverHost(IHost host, bool testServer)
    {
        Host = host;
        Client = testServer ? host.GetTestClient() : new HttpClient();

        // The dispatcher counts an outcome once the store has recorded it: each count wakes WaitForStatusAsync to look again.
        _outcomes.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Webhooks" && instrument.Name is "webhooks.processed" or "webhooks.retried" or "webhooks.dead")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _outcomes.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult());
        _outcomes.Start();
    }

    public IHost Host { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => Host.Services;

    public IWebhookEventStore Store => Services.GetRequiredService<IWebhookEventStore>();

    public HandlerCalls Calls => Services.GetRequiredService<HandlerCalls>();

    public static Dictionary<string, string?> DefaultConfiguration() => new()
    {
        ["Webhooks:GitHub:Secret"] = GitHubSecret,
        ["Webhooks:Stripe:Secret"] = StripeSecret,
        ["Webhooks:Sources:acme:Secret"] = AcmeSecret,
        ["Webhooks:Processing:PollInterval"] = "00:00:00.050",
    };

    public static async Task<ReceiverHost> StartAsync(
        Action<IServiceCollection>? services = null,
        Action<Dictionary<string, string?>>? configuration = null,
        bool useTestServer = true,
        Action<IApplicationBuilder>? beforeEndpoints = null,
        string environment = "Production")
    {
        Dictionary<string, string?> settings = DefaultConfiguration();
        configuration?.Invoke(settings);
        IHost host = new HostBuilder()
            .UseEnvironment(environment)
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureWebHost(web =>
            {
                if (useTestServer)
                {
                    web.UseTestServer();
                }
                else
                {
                    web.UseKestrel().UseUrls("http://127.0.0.1:0");
                }

                web.ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddSingleton<HandlerCalls>();
                    services?.Invoke(s);
                    s.AddWebhookReceiver()
                        .AddGitHub()
                        .AddStripe()
                        .AddHandler<CountingHandler>("*");
                });
                web.Configure(app =>
                {
                    beforeEndpoints?.Invoke(app);
                    app.UseRouting();
                    app.UseEndpoints(e =>
                    {
                        e.MapWebhooks();
                        e.MapWebhookAdmin();
                    });
                });
            })
            .Build();
        await host.StartAsync();
        return new ReceiverHost(host, useTestServer);
    }

    public static async Task<(int Status, JsonElement Body)> ReadAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Waits until the event has a status (processed or dead): looked at now and after each outcome the dispatcher records, for at most 20 seconds.</summary>
    public async Task<WebhookEventSummary> WaitForStatusAsync(string id, WebhookEventStatus status)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            // Taken before the look, so that an outcome recorded during it still wakes the wait.
            Task changed = Volatile.Read(ref _changed).Task;
            WebhookEventSummary? e = await Store.GetAsync(id);
            if (e?.Status == status)
            {
                return e;
            }

            await changed.WaitAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outcomes.Dispose();
        Client.Dispose();
        await Host.StopAsync();
        Host.Dispose();
    }
}
