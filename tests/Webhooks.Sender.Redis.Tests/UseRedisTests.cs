using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Redis.Tests;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Sending;
using Webhooks.Sender.Subscriptions;
using Webhooks.Storage;

namespace Webhooks.Sender.Redis.Tests;

[Collection(SenderRedisGroup.Name)]
public sealed class UseRedisTests(RedisServer redis)
{
    [Fact]
    public async Task EveryStoreInRedis_TheConnectionAskedForOnce()
    {
        int asked = 0;
        var services = new ServiceCollection();
        services.AddWebhookSender().UseRedis(o =>
        {
            o.ConnectionMultiplexerFactory = () =>
            {
                Interlocked.Increment(ref asked);
                return Task.FromResult<IConnectionMultiplexer>(redis.Connection);
            };
            o.KeyPrefix = "use" + Guid.NewGuid().ToString("N")[..8] + ":";
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.IsType<RedisWebhookSubscriptionStore>(provider.GetRequiredService<IWebhookSubscriptionStore>());
        Assert.IsType<RedisWebhookDeliveryLog>(provider.GetRequiredService<IWebhookDeliveryLog>());
        WebhookOutbox outbox = provider.GetRequiredService<WebhookOutbox>();
        Assert.IsType<Webhooks.Redis.RedisEventStore>(outbox.Store);
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task FromConfiguration_SameShapeAsTheReceiver_KeysUnderItsPrefix()
    {
        string prefix = "cfg" + Guid.NewGuid().ToString("N")[..8] + ":";
        using IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Webhooks:Sender:Redis:Configuration"] = redis.Configuration,
                ["Webhooks:Sender:Redis:KeyPrefix"] = prefix,
                ["Webhooks:Redis:KeyPrefix"] = "not-this:",
            }))
            .ConfigureServices(s => s.AddWebhookSender(o => o.AllowInsecureDevelopmentEndpoints = true).UseRedis())
            .Build();
        await host.StartAsync();

        WebhookSubscriptionCreated created = await host.Services.GetRequiredService<WebhookSubscriptions>()
            .CreateAsync(new WebhookSubscriptionRequest { Url = "http://127.0.0.1:9/in", EventTypes = ["invoice.*"] });
        Assert.NotNull(await host.Services.GetRequiredService<WebhookSubscriptions>().GetAsync(created.Subscription.Id));
        IServer server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        int under = 0;
        await foreach (RedisKey _ in server.KeysAsync(pattern: prefix + "*"))
        {
            under++;
        }

        Assert.True(under > 0, "no key under the configured prefix");
        await foreach (RedisKey _ in server.KeysAsync(pattern: "not-this:*"))
        {
            Assert.Fail("a key under the receiver's prefix");
        }
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Webhooks:Sender:Redis:KeyPrefix", "a{b}:", "Webhooks:Sender:Redis:KeyPrefix")]
    [InlineData("Webhooks:Sender:Redis:Configuration", "", "Webhooks:Sender:Redis:Configuration")]
    public async Task BadOrMissingSettings_StartFailsNamingTheKey(string key, string value, string named)
    {
        using IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }))
            .ConfigureServices(s => s.AddWebhookSender().UseRedis())
            .Build();
        OptionsValidationException ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisDown_StoresAnswerUnavailable()
    {
        // Nothing listens on port 1: every call fails to connect (or times out in the client's backlog), which is an outage.
        await using ConnectionMultiplexer down = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=200,asyncTimeout=500,syncTimeout=500");

        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await new RedisWebhookSubscriptionStore(down).GetAsync("sub_1"));
        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await new RedisWebhookSubscriptionStore(down).FindActiveAsync("invoice.paid"));
        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await new RedisWebhookDeliveryLog(down).ListAsync(null, null, null, 10));
    }
}
