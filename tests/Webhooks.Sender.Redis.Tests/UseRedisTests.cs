using Microsoft.Extensions.DependencyInjection;
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
        services.AddWebhookSender().UseRedis(_ =>
        {
            Interlocked.Increment(ref asked);
            return redis.Connection;
        }, "use" + Guid.NewGuid().ToString("N")[..8] + ":");
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.IsType<RedisWebhookSubscriptionStore>(provider.GetRequiredService<IWebhookSubscriptionStore>());
        Assert.IsType<RedisWebhookDeliveryLog>(provider.GetRequiredService<IWebhookDeliveryLog>());
        WebhookOutbox outbox = provider.GetRequiredService<WebhookOutbox>();
        Assert.IsType<Webhooks.Redis.RedisEventStore>(outbox.Store);
        Assert.Equal(1, asked);
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
