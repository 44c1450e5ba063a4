using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Subscriptions;
using Webhooks.Storage;

namespace Webhooks.Sender.AspNetCore.Tests;

/// <summary>The management endpoints when the subscription store or the delivery log does not answer: 503, never a 500.</summary>
public sealed class StoreUnavailableTests : IAsyncLifetime
{
    private IHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        // Registered first: AddWebhookSender keeps a store or log the application has registered.
        _host = await SubscriptionsTestHost.StartAsync(s =>
        {
            s.AddSingleton<IWebhookSubscriptionStore, DownSubscriptionStore>();
            s.AddSingleton<IWebhookDeliveryLog, DownDeliveryLog>();
        });
        _client = _host.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task SubscriptionStoreDown_503WithTheStoresRetryAfter()
    {
        using HttpResponseMessage response = await _client.GetAsync(new Uri("/admin/subscriptions", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("30", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("store_unavailable", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task DeliveryLogTimesOut_503WithTheDefaultRetryAfter()
    {
        using HttpResponseMessage response = await _client.GetAsync(new Uri("/admin/subscriptions/messages/msg_1/deliveries", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("store_unavailable", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response) => SubscriptionsTestHost.JsonAsync(response);

    private sealed class DownSubscriptionStore : IWebhookSubscriptionStore
    {
        private static WebhookStoreUnavailableException Down() => new("The subscription store is down.") { RetryAfter = TimeSpan.FromSeconds(30) };

        public ValueTask<bool> AddAsync(WebhookSubscription subscription, CancellationToken cancellationToken = default) => throw Down();

        public ValueTask<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken = default) => throw Down();

        public ValueTask<bool> ReplaceAsync(WebhookSubscription subscription, long expectedVersion, CancellationToken cancellationToken = default) => throw Down();

        public ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default) => throw Down();

        public ValueTask<WebhookSubscriptionPage> ListAsync(string? after, int limit, CancellationToken cancellationToken = default) => throw Down();

        public ValueTask<IReadOnlyList<WebhookSubscription>> FindActiveAsync(string eventType, CancellationToken cancellationToken = default) => throw Down();
    }

    private sealed class DownDeliveryLog : IWebhookDeliveryLog
    {
        public ValueTask<WebhookDeliveryAttempt> RecordAsync(WebhookDeliveryAttempt attempt, CancellationToken cancellationToken = default) =>
            throw new TimeoutException("The delivery log did not answer.");

        public ValueTask<IReadOnlyList<WebhookDeliveryAttempt>> ListAsync(string? subscriptionId, string? messageId, long? before, int limit, CancellationToken cancellationToken = default) =>
            throw new TimeoutException("The delivery log did not answer.");
    }
}
