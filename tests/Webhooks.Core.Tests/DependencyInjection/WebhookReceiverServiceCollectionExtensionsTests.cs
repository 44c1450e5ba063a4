using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Webhooks.Idempotency;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.Tests.DependencyInjection;

public class WebhookReceiverServiceCollectionExtensionsTests
{
    [Fact]
    public void AddWebhookReceiver_NullServices_Throws()
    {
        Assert.Throws<ArgumentNullException>("services", () => WebhookReceiverServiceCollectionExtensions.AddWebhookReceiver(null!));
        Assert.Throws<ArgumentNullException>("builder", () => WebhookReceiverBuilderExtensions.UseInMemoryStores(null!));
    }

    [Fact]
    public void AddWebhookReceiver_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddWebhookReceiver();
        services.AddWebhookReceiver();
        using ServiceProvider provider = services.BuildServiceProvider();

        // The dispatcher and the check of the sources' secrets, once each.
        IHostedService[] hosted = [.. provider.GetServices<IHostedService>()];
        Assert.Equal(2, hosted.Length);
        Assert.Single(hosted, h => h is Webhooks.Processing.WebhookDispatcher);
        Assert.Single(hosted, h => h is Webhooks.Sources.WebhookSourcesStartupCheck);
        Assert.Single(services, d => d.ServiceType == typeof(IWebhookEventStore));
        Assert.Single(services, d => d.ServiceType == typeof(Webhooks.Sources.WebhookVerifierCache));
        Assert.Single(services, d => d.ServiceType == typeof(IConfigureOptions<WebhookReceiverOptions>) && d.ImplementationType?.Name == "BindFromConfiguration");
        Assert.IsType<InMemoryEventStore>(provider.GetRequiredService<IWebhookEventStore>());
        Assert.IsType<InMemoryIdempotencyStore>(provider.GetRequiredService<IIdempotencyStore>());
        Assert.IsType<ExponentialBackoffRetryPolicy>(provider.GetRequiredService<IRetryPolicy>());
    }

    [Fact]
    public void AddWebhookReceiver_UserStoresRegisteredFirst_Kept()
    {
        var store = new InMemoryEventStore(limits: new InMemoryStoreOptions { MaxEvents = 5 });
        var services = new ServiceCollection();
        services.AddSingleton<IWebhookEventStore>(store);
        services.AddWebhookReceiver();
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Same(store, provider.GetRequiredService<IWebhookEventStore>());
    }

    [Fact]
    public void Options_BoundFromWebhooksSection_ThenCodeConfiguration()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:ProcessedRetention"] = "04:00:00",
            ["Webhooks:Retry:MaxAttempts"] = "3",
            ["Webhooks:Retry:BaseDelay"] = "00:00:05",
            ["Webhooks:Retry:MaxDelay"] = "00:10:00",
            ["Webhooks:Processing:Concurrency"] = "7",
            ["Webhooks:InMemory:MaxEvents"] = "1234",
        });
        builder.Services.AddWebhookReceiver(o => o.Processing.PollInterval = TimeSpan.FromSeconds(2));
        using IHost host = builder.Build();

        WebhookReceiverOptions options = host.Services.GetRequiredService<IOptions<WebhookReceiverOptions>>().Value;
        Assert.Equal(TimeSpan.FromHours(4), options.ProcessedRetention);
        Assert.Equal(3, options.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Retry.BaseDelay);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Retry.MaxDelay);
        Assert.Equal(7, options.Processing.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Processing.PollInterval);
        Assert.Equal(1234, ((InMemoryEventStore)host.Services.GetRequiredService<IWebhookEventStore>()).MaxEvents);
    }

    [Fact]
    public async Task AddWebhookReceiver_FromSection_BindsOptionsAndSourcesFromItOnly()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:Processing:Concurrency"] = "9",
            ["Webhooks:Sources:ignored:Secret"] = "whsec_" + Convert.ToBase64String(new byte[24]),
            ["Integrations:Hooks:Processing:Concurrency"] = "5",
            ["Integrations:Hooks:GitHub:Secret"] = "section-secret",
            ["Integrations:Hooks:Sources:acme:Secret"] = "whsec_" + Convert.ToBase64String(new byte[24]),
        });
        builder.Services.AddWebhookReceiver(builder.Configuration.GetSection("Integrations:Hooks")).AddGitHub();
        using IHost host = builder.Build();
        await host.StartAsync();

        Assert.Equal(5, host.Services.GetRequiredService<IOptions<WebhookReceiverOptions>>().Value.Processing.Concurrency);
        var registry = host.Services.GetRequiredService<Webhooks.Sources.WebhookSourceRegistry>();
        Assert.True(registry.TryGet("acme", out _));
        Assert.False(registry.TryGet("ignored", out _));
        Assert.Equal("section-secret", host.Services.GetRequiredService<IOptionsMonitor<Webhooks.Sources.WebhookSourceOptions>>().Get("github").Secret);
        Assert.Equal("Integrations:Hooks", ((IConfigurationSection)WebhookReceiverOptions.GetConfiguration(host.Services)!).Path);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddWebhookReceiver_FromSection_MissingSecret_FailsNamingTheSectionsKey()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Webhooks:GitHub:Secret"] = "not-this-one" });
        builder.Services.AddWebhookReceiver(builder.Configuration.GetSection("Integrations:Hooks")).AddGitHub();
        using IHost host = builder.Build();

        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Integrations:Hooks:GitHub:Secret", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>("configuration", () => new ServiceCollection().AddWebhookReceiver((IConfigurationSection)null!));
    }

    [Theory]
    [InlineData("Webhooks:Retry:MaxAttempts", "0", "MaxAttempts")]
    [InlineData("Webhooks:Processing:Concurrency", "0", "Concurrency")]
    [InlineData("Webhooks:Retry:MaxDelay", "00:00:01", "Webhooks:Retry:MaxDelay")]
    [InlineData("Webhooks:Processing:LeaseDuration", "00:00:00", "Webhooks:Processing:LeaseDuration")]
    [InlineData("Webhooks:ProcessedRetention", "00:00:10", "Webhooks:ProcessedRetention")]
    public async Task Start_InvalidOption_FailsNamingTheKey(string key, string value, string named)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddWebhookReceiver();
        using IHost host = builder.Build();

        OptionsValidationException ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_EndToEnd_HandlerRunsInItsOwnScopePerAttempt()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddScoped<ScopeProbe>();
        builder.Services.AddSingleton<ScopeLog>();
        builder.Services.AddWebhookReceiver(o => o.Processing.PollInterval = TimeSpan.FromMilliseconds(50))
            .AddHandler<ProbeHandler>("github", "push")
            .AddHandler<ProbeHandler>("stripe");
        using IHost host = builder.Build();
        await host.StartAsync();

        WebhookPipeline pipeline = host.Services.GetRequiredService<WebhookPipeline>();
        await pipeline.AcceptAsync(WebhookEvent.Create("github", "a", "push", [], new byte[] { 1 }, DateTimeOffset.UtcNow));
        await pipeline.AcceptAsync(WebhookEvent.Create("stripe", "evt_b", "charge.succeeded", [], new byte[] { 2 }, DateTimeOffset.UtcNow));
        await pipeline.AcceptAsync(WebhookEvent.Create("github", "c", "issues", [], new byte[] { 3 }, DateTimeOffset.UtcNow));

        IWebhookEventStore store = host.Services.GetRequiredService<IWebhookEventStore>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        foreach (string id in new[] { "github:a", "stripe:evt_b", "github:c" })
        {
            while ((await store.GetAsync(id))!.Status != WebhookEventStatus.Processed)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        ScopeLog log = host.Services.GetRequiredService<ScopeLog>();
        Assert.Equal(2, log.Scopes.Count);
        Assert.Equal(2, log.Scopes.Distinct().Count());
        Assert.True((await store.GetAsync("github:c"))!.Unhandled);
        await host.StopAsync();
    }

    private sealed class ScopeProbe
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    private sealed class ScopeLog
    {
        public System.Collections.Concurrent.ConcurrentBag<Guid> Scopes { get; } = [];
    }

    private sealed class ProbeHandler(ScopeProbe probe, ScopeLog log) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
        {
            log.Scopes.Add(probe.Id);
            return Task.CompletedTask;
        }
    }
}
