using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Redis.Tests;

[Collection(RedisServerGroup.Name)]
public sealed class UseRedisTests(RedisServer redis)
{
    [Fact]
    public async Task UseRedis_ReplacesBothStores_DeliveryProcessedOnceFromRedis()
    {
        string prefix = "use" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using PipelineHarness h = await PipelineHarness.StartAsync(handlers: b =>
        {
            b.AddHandler<ScriptedHandler>("github", "push");
            b.UseRedis(o =>
            {
                o.Configuration = redis.Configuration;
                o.KeyPrefix = prefix;
            });
        });
        Assert.IsType<RedisEventStore>(h.Store);
        Assert.IsType<RedisIdempotencyStore>(h.Idempotency);

        Assert.Equal(WebhookAcceptResult.Queued, await h.Pipeline.AcceptAsync(PipelineHarness.Event("r1")));
        Assert.Equal(WebhookAcceptResult.Duplicate, await h.Pipeline.AcceptAsync(PipelineHarness.Event("r1")));
        await h.RunUntilIdleAsync();
        Assert.Equal(WebhookEventStatus.Processed, (await h.Store.GetAsync("github:r1"))!.Status);
        Assert.Equal(1, h.Script.CallsFor("github:r1"));

        // The keys are where the documented layout says.
        var keys = new RedisKeys(prefix, 16);
        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync(keys.Key(keys.PartitionOf("github:r1"), "evt:github:r1")));
    }

    [Theory]
    [InlineData("Webhooks:Redis:Partitions", "0", "Webhooks:Redis:Partitions")]
    [InlineData("Webhooks:Redis:Partitions", "many", "Webhooks:Redis:Partitions")]
    [InlineData("Webhooks:Redis:KeyPrefix", "app{1}:", "Webhooks:Redis:KeyPrefix")]
    [InlineData("Webhooks:Redis:Configuration", "", "Webhooks:Redis:Configuration")]
    public async Task BadSettings_StartFailsNamingTheKey(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?> { ["Webhooks:Redis:Configuration"] = redis.Configuration, [key] = value };
        using IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureServices(s => s.AddWebhookReceiver().UseRedis())
            .Build();
        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.True(ex is OptionsValidationException or InvalidOperationException, ex.GetType().Name);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromReceiverSection_RedisSettingsReadThere_BadOneNamedWithItsPath()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:Redis:Partitions"] = "8",
            ["Hooks:Redis:Configuration"] = redis.Configuration,
            ["Hooks:Redis:Partitions"] = "0",
        };
        using IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureServices((context, s) => s.AddWebhookReceiver(context.Configuration.GetSection("Hooks")).UseRedis())
            .Build();
        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("Hooks:Redis:Partitions", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Webhooks:Redis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisDown_AtStart_HostStarts_DeliveriesUnavailable_HealthUnhealthy()
    {
        var settings = new Dictionary<string, string?> { ["Webhooks:Redis:Configuration"] = "127.0.0.1:1,connectTimeout=200,syncTimeout=300,asyncTimeout=300" };
        using IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureServices(s =>
            {
                s.AddWebhookReceiver().UseRedis();
                s.AddLogging();
                s.AddHealthChecks().AddWebhookRedis();
            })
            .Build();
        await host.StartAsync();
        WebhookPipeline pipeline = host.Services.GetRequiredService<WebhookPipeline>();
        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await pipeline.AcceptAsync(PipelineHarness.Event("down")));
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Entries[WebhookRedisBuilderExtensions.HealthCheckName].Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task UnsafeServer_HealthDegraded_NamingAppendOnly()
    {
        var settings = new Dictionary<string, string?> { ["Webhooks:Redis:Configuration"] = redis.Configuration };
        using IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureServices(s =>
            {
                s.AddWebhookReceiver().UseRedis();
                s.AddLogging();
                s.AddHealthChecks().AddWebhookRedis();
            })
            .Build();
        await host.StartAsync();

        // The test server runs with appendonly off: a restart would lose accepted deliveries.
        HealthReportEntry entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[WebhookRedisBuilderExtensions.HealthCheckName];
        Assert.True(entry.Status == HealthStatus.Degraded, entry.Description + " " + entry.Exception);
        Assert.Contains("appendonly", entry.Description, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task SafeServer_AppendOnlyAndNoEviction_Healthy()
    {
        await using RedisProcess safe = RedisProcess.Start("--appendonly", "yes", "--maxmemory-policy", "noeviction");
        await safe.Ready;
        var settings = new Dictionary<string, string?> { ["Webhooks:Redis:Configuration"] = safe.Endpoint };
        using IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureServices(s =>
            {
                s.AddWebhookReceiver().UseRedis();
                s.AddLogging();
                s.AddHealthChecks().AddWebhookRedis();
            })
            .Build();
        await host.StartAsync();
        HealthReportEntry entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[WebhookRedisBuilderExtensions.HealthCheckName];
        Assert.True(entry.Status == HealthStatus.Healthy, entry.Description + " " + entry.Exception);
        await host.StopAsync();
    }
}
