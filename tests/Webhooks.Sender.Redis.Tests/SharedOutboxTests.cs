using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Sending;
using Webhooks.Sender.Subscriptions;
using Webhooks.Storage;

namespace Webhooks.Sender.Redis.Tests;

/// <summary>Two sending processes, each with its own connection, on one Redis (<c>UseRedis</c>): subscriptions, outbox and delivery log shared, every message delivered once, by either.</summary>
[Collection(SenderRedisGroup.Name)]
public sealed class SharedOutboxTests(Webhooks.Redis.Tests.RedisServer redis)
{
    [Fact]
    public async Task TwoSenders_FiveHundredMessagesPublishedOnBoth_EachSentOnceAndBothSend()
    {
        string prefix = "outbox" + Guid.NewGuid().ToString("N")[..8] + ":";
        var received = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using Sender first = await Sender.StartAsync(redis.Configuration, prefix, received);
        await using Sender second = await Sender.StartAsync(redis.Configuration, prefix, received);
        WebhookSubscriptionCreated subscription = await first.Services.GetRequiredService<WebhookSubscriptions>()
            .CreateAsync(new WebhookSubscriptionRequest { Url = "http://127.0.0.1:9/hook", EventTypes = ["*"] });
        Assert.NotNull(await second.Services.GetRequiredService<WebhookSubscriptions>().GetAsync(subscription.Subscription.Id));

        var published = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 500), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, token) =>
        {
            Sender on = n % 2 == 0 ? first : second;
            WebhookPublishResult result = await on.Services.GetRequiredService<IWebhookPublisher>()
                .PublishJsonAsync("invoice.paid", Encoding.UTF8.GetBytes("{\"n\":" + n + "}"), cancellationToken: token);
            Assert.Equal(1, result.Deliveries);
            published.Add(result.MessageId);
        });

        IWebhookEventStore outbox = first.Services.GetRequiredService<WebhookOutbox>().Store;
        var watch = Stopwatch.StartNew();
        while ((await outbox.CountAsync()).Processed < 500)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"Only {(await outbox.CountAsync()).Processed} of 500 deliveries were completed.");
            await Task.Delay(20);
        }

        Assert.Equal(500, received.Count);
        Assert.All(published, id => Assert.Equal(1, received[id]));
        Assert.True(first.Sent > 0 && second.Sent > 0, $"first sent {first.Sent}, second {second.Sent}");
        Assert.Equal(500, first.Sent + second.Sent);
        Assert.Equal(WebhookEventStatus.Processed, (await outbox.GetAsync(WebhookOutbox.DeliveryId(subscription.Subscription.Id, published.First())))!.Status);

        // The delivery log is shared too: each process lists every attempt, whichever process made it.
        foreach (Sender on in new[] { first, second })
        {
            IWebhookDeliveryLog log = on.Services.GetRequiredService<IWebhookDeliveryLog>();
            var logged = new List<string>();
            long? before = null;
            while (await log.ListAsync(subscription.Subscription.Id, null, before, 100) is { Count: > 0 } page)
            {
                Assert.All(page, attempt => Assert.Equal("delivered", attempt.Outcome));
                logged.AddRange(page.Select(attempt => attempt.MessageId));
                before = page[^1].Sequence;
            }

            Assert.Equal(published.Order(StringComparer.Ordinal), logged.Order(StringComparer.Ordinal));
        }
    }

    /// <summary>One sending process: its own connection and host, the shared subscription store, an endpoint that counts messages.</summary>
    private sealed class Sender : IAsyncDisposable
    {
        private readonly ServiceProvider _provider;
        private readonly Endpoint _endpoint;
        private readonly ConnectionMultiplexer _connection;

        private Sender(ServiceProvider provider, Endpoint endpoint, ConnectionMultiplexer connection)
        {
            _provider = provider;
            _endpoint = endpoint;
            _connection = connection;
        }

        public IServiceProvider Services => _provider;

        public int Sent => _endpoint.Sent;

        public static async Task<Sender> StartAsync(string configuration, string prefix, ConcurrentDictionary<string, int> received)
        {
            ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            var endpoint = new Endpoint(received);
            var services = new ServiceCollection();
            services.AddWebhookSender(o =>
            {
                o.AllowInsecureDevelopmentEndpoints = true;
                o.PollInterval = TimeSpan.FromMilliseconds(20);
            }).UseRedis(o => { o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection); o.KeyPrefix = prefix; });
            services.AddHttpClient(WebhookDeliverySender.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => endpoint);
            ServiceProvider provider = services.BuildServiceProvider();
            foreach (IHostedService hosted in provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }

            return new Sender(provider, endpoint, connection);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (IHostedService hosted in _provider.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await _provider.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    private sealed class Endpoint(ConcurrentDictionary<string, int> received) : HttpMessageHandler
    {
        private int _sent;

        public int Sent => Volatile.Read(ref _sent);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            received.AddOrUpdate(request.Headers.GetValues("webhook-id").Single(), 1, static (_, c) => c + 1);
            Interlocked.Increment(ref _sent);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
