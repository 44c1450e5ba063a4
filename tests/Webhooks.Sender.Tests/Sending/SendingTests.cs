using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using System.Text.Json;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Sending;
using Webhooks.Sender.Subscriptions;
using Webhooks.Signatures;
using Webhooks.Storage;

namespace Webhooks.Sender.Tests.Sending;

public sealed class SendingTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("""{"invoice":"in_1","amount":4200}""");

    [Fact]
    public async Task Publish_EndpointAnswers200_DeliveredOnceSignedAndLogged()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync("invoice.*");

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.RunUntilIdleAsync();

        Assert.Equal(1, published.Deliveries);
        ReceivedRequest request = Assert.Single(harness.Endpoint.Requests);
        Assert.Equal(published.MessageId, request.Headers["webhook-id"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(
            SignatureVerificationResult.Valid,
            new StandardWebhooksSignatureVerifier([new WebhookSecret(subscription.Secret)], null, harness.Clock)
                .Verify(request.Body, request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Headers["webhook-signature"]));
        using JsonDocument body = JsonDocument.Parse(request.Body);
        Assert.Equal("invoice.paid", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("in_1", body.RootElement.GetProperty("data").GetProperty("invoice").GetString());
        WebhookDeliveryAttempt logged = Assert.Single(await harness.Log.ListAsync(subscription.Subscription.Id, null, null, 10));
        Assert.Equal("delivered", logged.Outcome);
        Assert.Equal(200, logged.StatusCode);
        Assert.Equal(1, logged.Attempt);
        Assert.Equal("ok", logged.ResponseSnippet);
        Assert.Equal(WebhookEventStatus.Processed, (await DeliveryAsync(harness, subscription, published)).Status);
    }

    [Fact]
    public async Task Endpoint500Twice_DeliveredOnAttempt3AfterTheScheduledDelays()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        harness.Endpoint.Answer(HttpStatusCode.InternalServerError);
        harness.Endpoint.Answer(HttpStatusCode.InternalServerError);

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.Single(harness.Endpoint.Requests);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, harness.Endpoint.Requests.Count);
        await harness.AdvanceAsync(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1), stepSeconds: 10);
        Assert.Equal(2, harness.Endpoint.Requests.Count);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(1));

        ReceivedRequest[] requests = [.. harness.Endpoint.Requests];
        Assert.Equal(3, requests.Length);
        Assert.Equal([SenderHarness.Start, SenderHarness.Start.AddSeconds(5), SenderHarness.Start.AddSeconds(5).AddMinutes(5)], requests.Select(r => r.At));
        Assert.All(requests, r => Assert.Equal(published.MessageId, r.Headers["webhook-id"]));
        Assert.All(requests, r => Assert.Equal(requests[0].Body, r.Body));
        Assert.Equal(
            requests.Select(r => r.At.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            requests.Select(r => r.Headers["webhook-timestamp"]));
        Assert.Equal(WebhookEventStatus.Processed, (await DeliveryAsync(harness, subscription, published)).Status);
        IReadOnlyList<WebhookDeliveryAttempt> log = await harness.Log.ListAsync(null, published.MessageId, null, 10);
        Assert.Equal(["delivered", "failed", "failed"], log.Select(a => a.Outcome));
        Assert.Equal([3, 2, 1], log.Select(a => a.Attempt));
        Assert.Equal([200, 500, 500], log.Select(a => a.StatusCode ?? 0));
    }

    [Fact]
    public async Task Endpoint400_NotRetriedAndDead()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        harness.Endpoint.Answer(HttpStatusCode.BadRequest);

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.AdvanceAsync(TimeSpan.FromMinutes(6), stepSeconds: 10);

        Assert.Single(harness.Endpoint.Requests);
        WebhookEventSummary delivery = await DeliveryAsync(harness, subscription, published);
        Assert.Equal(WebhookEventStatus.Dead, delivery.Status);
        Assert.Contains("400", delivery.LastError, StringComparison.Ordinal);
        Assert.Equal("rejected", Assert.Single(await harness.Log.ListAsync(subscription.Subscription.Id, null, null, 10)).Outcome);
    }

    [Fact]
    public async Task Endpoint410_SubscriptionDisabledAndNotRetried()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        harness.Endpoint.Answer(HttpStatusCode.Gone);

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.AdvanceAsync(TimeSpan.FromMinutes(6), stepSeconds: 10);

        Assert.Single(harness.Endpoint.Requests);
        Assert.Equal(WebhookEventStatus.Dead, (await DeliveryAsync(harness, subscription, published)).Status);
        WebhookSubscription disabled = (await harness.Subscriptions.GetAsync(subscription.Subscription.Id))!;
        Assert.False(disabled.IsActive);
        Assert.Equal("gone", disabled.DisabledReason);
        Assert.Equal(0, (await harness.Publisher.PublishJsonAsync("invoice.paid", Data)).Deliveries);
    }

    [Fact]
    public async Task Endpoint429WithRetryAfter7_NextAttemptAfter7Seconds()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        harness.Endpoint.Answer(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7)));

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(6));
        Assert.Single(harness.Endpoint.Requests);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([SenderHarness.Start, SenderHarness.Start.AddSeconds(7)], harness.Endpoint.Requests.Select(r => r.At));
        Assert.Equal(WebhookEventStatus.Processed, (await DeliveryAsync(harness, subscription, published)).Status);
    }

    [Fact]
    public async Task EndpointNeverAnswers_AttemptTimesOutAndIsRetried()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        harness.Endpoint.Hang();

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.WaitForRequestsAsync(1);
        harness.Clock.Advance(TimeSpan.FromSeconds(10));
        await harness.RunUntilIdleAsync();
        WebhookEventSummary failed = await DeliveryAsync(harness, subscription, published);
        Assert.Equal(WebhookEventStatus.Failed, failed.Status);
        Assert.Contains("did not answer within 10 s", failed.LastError, StringComparison.Ordinal);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(2, harness.Endpoint.Requests.Count);
        Assert.Equal(WebhookEventStatus.Processed, (await DeliveryAsync(harness, subscription, published)).Status);
        Assert.Equal(["delivered", "failed"], (await harness.Log.ListAsync(null, published.MessageId, null, 10)).Select(a => a.Outcome));
    }

    [Fact]
    public async Task Endpoint302_FailedAttemptRedirectNotFollowed()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        harness.Endpoint.Answer(HttpStatusCode.Found, r => r.Headers.Location = new Uri("http://127.0.0.1:9/elsewhere"));

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.RunUntilIdleAsync();

        ReceivedRequest only = Assert.Single(harness.Endpoint.Requests);
        Assert.Equal("/hook", only.Uri.AbsolutePath);
        WebhookEventSummary delivery = await DeliveryAsync(harness, subscription, published);
        Assert.Equal(WebhookEventStatus.Failed, delivery.Status);
        Assert.Contains("redirect, not followed", delivery.LastError, StringComparison.Ordinal);
        Assert.Equal(302, Assert.Single(await harness.Log.ListAsync(null, published.MessageId, null, 10)).StatusCode);
    }

    [Fact]
    public async Task RetriesUsedUp_DeadAfterEightAttempts()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync(o =>
        {
            o.RetrySchedule.Clear();
            for (int i = 0; i < 7; i++)
            {
                o.RetrySchedule.Add(TimeSpan.FromSeconds(1));
            }
        });
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        for (int i = 0; i < 10; i++)
        {
            harness.Endpoint.Answer(HttpStatusCode.ServiceUnavailable);
        }

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(8, harness.Endpoint.Requests.Count);
        Assert.Equal(WebhookEventStatus.Dead, (await DeliveryAsync(harness, subscription, published)).Status);
    }

    [Fact]
    public async Task Publish_ToMatchingActiveSubscriptionsOnly_SameBytesToEach()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        await harness.SubscribeAsync("invoice.*");
        await harness.SubscribeAsync("*");
        await harness.SubscribeAsync("customer.created");
        WebhookSubscriptionCreated paused = await harness.SubscribeAsync("invoice.paid");
        await harness.Subscriptions.UpdateAsync(paused.Subscription.Id, new WebhookSubscriptionChange { IsActive = false });

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.RunUntilIdleAsync();

        Assert.Equal(2, published.Deliveries);
        ReceivedRequest[] requests = [.. harness.Endpoint.Requests];
        Assert.Equal(2, requests.Length);
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.NotEqual(requests[0].Headers["webhook-signature"], requests[1].Headers["webhook-signature"]);
    }

    [Fact]
    public async Task Publish_SameIdempotencyKeyTwice_StoredAndSentOnce()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        await harness.SubscribeAsync();

        WebhookPublishResult first = await harness.Publisher.PublishJsonAsync("invoice.paid", Data, "order-77-paid");
        WebhookPublishResult second = await harness.Publisher.PublishJsonAsync("invoice.paid", Data, "order-77-paid");
        await harness.RunUntilIdleAsync();

        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal((1, false), (first.Deliveries, first.AlreadyPublished));
        Assert.Equal((0, true), (second.Deliveries, second.AlreadyPublished));
        Assert.Single(harness.Endpoint.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("invoice paid")]
    [InlineData("invoice.*")]
    public async Task Publish_InvalidEventType_Throws(string eventType)
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(nameof(eventType), () => harness.Publisher.PublishJsonAsync(eventType, Data).AsTask());
    }

    [Fact]
    public async Task Publish_DataNotJson_Throws()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        await harness.SubscribeAsync();

        await Assert.ThrowsAsync<ArgumentException>("json", () => harness.Publisher.PublishJsonAsync("invoice.paid", Encoding.UTF8.GetBytes("{not json")).AsTask());
        Assert.Equal(0, (await harness.Outbox.Store.CountAsync()).Queued);
    }

    [Fact]
    public async Task SubscriptionDeletedBeforeSending_DeadWithoutARequest()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync(o => o.PollInterval = TimeSpan.FromSeconds(30));
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        harness.Endpoint.Answer(HttpStatusCode.InternalServerError);
        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.RunUntilIdleAsync();

        await harness.Subscriptions.DeleteAsync(subscription.Subscription.Id);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(40));

        Assert.Single(harness.Endpoint.Requests);
        WebhookEventSummary delivery = await DeliveryAsync(harness, subscription, published);
        Assert.Equal(WebhookEventStatus.Dead, delivery.Status);
        Assert.Contains("deleted", delivery.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointFailingForTheWholeSpan_SubscriptionDisabledAndObserversToldOnce()
    {
        var observed = new RecordingObserver();
        await using SenderHarness harness = await SenderHarness.StartAsync(
            o =>
            {
                o.DisableAfterFailingFor = TimeSpan.FromHours(1);
                o.RetrySchedule.Clear();
                for (int i = 0; i < 20; i++)
                {
                    o.RetrySchedule.Add(TimeSpan.FromMinutes(10));
                }
            },
            s => s.AddSingleton<IWebhookEndpointObserver>(observed));
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        for (int i = 0; i < 20; i++)
        {
            harness.Endpoint.Answer(HttpStatusCode.ServiceUnavailable);
        }

        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.RunUntilIdleAsync();
        Assert.Equal(SenderHarness.Start, (await harness.Subscriptions.GetAsync(subscription.Subscription.Id))!.FailingSince);
        await harness.AdvanceAsync(TimeSpan.FromMinutes(50), stepSeconds: 60);
        Assert.True((await harness.Subscriptions.GetAsync(subscription.Subscription.Id))!.IsActive);
        await harness.AdvanceAsync(TimeSpan.FromMinutes(10), stepSeconds: 60);

        WebhookSubscription disabled = (await harness.Subscriptions.GetAsync(subscription.Subscription.Id))!;
        Assert.False(disabled.IsActive);
        Assert.Equal("failing", disabled.DisabledReason);
        (WebhookSubscription Subscription, string Reason) told = Assert.Single(observed.Calls);
        Assert.Equal(("failing", subscription.Subscription.Id), (told.Reason, told.Subscription.Id));
        Assert.Equal(7, harness.Endpoint.Requests.Count);
        await harness.AdvanceAsync(TimeSpan.FromMinutes(10), stepSeconds: 60);
        Assert.Equal(7, harness.Endpoint.Requests.Count);
        WebhookEventSummary delivery = await DeliveryAsync(harness, subscription, published);
        Assert.Equal(WebhookEventStatus.Dead, delivery.Status);
        Assert.Contains("disabled (failing)", delivery.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuccessAfterFailures_FailureStreakCleared()
    {
        var observed = new RecordingObserver();
        await using SenderHarness harness = await SenderHarness.StartAsync(services: s => s.AddSingleton<IWebhookEndpointObserver>(observed));
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        harness.Endpoint.Answer(HttpStatusCode.InternalServerError);

        await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.RunUntilIdleAsync();
        Assert.NotNull((await harness.Subscriptions.GetAsync(subscription.Subscription.Id))!.FailingSince);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.Null((await harness.Subscriptions.GetAsync(subscription.Subscription.Id))!.FailingSince);
        Assert.Empty(observed.Calls);
    }

    [Fact]
    public async Task Endpoint410_ObserversToldGone()
    {
        var observed = new RecordingObserver();
        await using SenderHarness harness = await SenderHarness.StartAsync(services: s => s.AddSingleton<IWebhookEndpointObserver>(observed));
        await harness.SubscribeAsync();
        harness.Endpoint.Answer(HttpStatusCode.Gone);

        await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.RunUntilIdleAsync();

        Assert.Equal("gone", Assert.Single(observed.Calls).Reason);
    }

    [Fact]
    public async Task Resend_DeliveredMessage_SentAgainUnderTheSameIdWithTheSameBytes()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.RunUntilIdleAsync();
        harness.Clock.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(WebhookReplayResult.Queued, await harness.Publisher.ResendAsync(subscription.Subscription.Id, published.MessageId));
        await harness.RunUntilIdleAsync();

        ReceivedRequest[] requests = [.. harness.Endpoint.Requests];
        Assert.Equal(2, requests.Length);
        Assert.Equal(requests[0].Headers["webhook-id"], requests[1].Headers["webhook-id"]);
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.NotEqual(requests[0].Headers["webhook-timestamp"], requests[1].Headers["webhook-timestamp"]);
        Assert.Equal(WebhookReplayResult.NotFound, await harness.Publisher.ResendAsync(subscription.Subscription.Id, "msg_never"));
    }

    [Fact]
    public async Task ResendDead_AfterTheSubscriptionIsActivatedAgain_Delivered()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync();
        WebhookSubscriptionCreated other = await harness.SubscribeAsync("customer.*");
        harness.Endpoint.Answer(HttpStatusCode.Gone);
        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.RunUntilIdleAsync();
        Assert.Equal(WebhookEventStatus.Dead, (await DeliveryAsync(harness, subscription, published)).Status);

        await harness.Subscriptions.UpdateAsync(subscription.Subscription.Id, new WebhookSubscriptionChange { IsActive = true });
        Assert.Equal(0, await harness.Publisher.ResendDeadAsync(other.Subscription.Id));
        Assert.Equal(1, await harness.Publisher.ResendDeadAsync(subscription.Subscription.Id));
        await harness.RunUntilIdleAsync();

        Assert.Equal(2, harness.Endpoint.Requests.Count);
        Assert.Equal(WebhookEventStatus.Processed, (await DeliveryAsync(harness, subscription, published)).Status);
        WebhookSubscription active = (await harness.Subscriptions.GetAsync(subscription.Subscription.Id))!;
        Assert.True(active.IsActive);
        Assert.Null(active.DisabledReason);
    }

    [Fact]
    public async Task Metrics_AttemptsByOutcomeAndEndpointsDisabled()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync();
        IMeterFactory meters = harness.Services.GetRequiredService<IMeterFactory>();
        using var attempts = new MetricCollector<long>(meters, "Webhooks.Sender", "webhooks.sender.attempts");
        using var disabled = new MetricCollector<long>(meters, "Webhooks.Sender", "webhooks.sender.endpoints.disabled");
        using var published = new MetricCollector<long>(meters, "Webhooks.Sender", "webhooks.sender.published");
        await harness.SubscribeAsync("invoice.*");
        await harness.SubscribeAsync("customer.*");
        harness.Endpoint.Answer(HttpStatusCode.InternalServerError);
        harness.Endpoint.Answer(HttpStatusCode.OK);
        harness.Endpoint.Answer(HttpStatusCode.Gone);

        await harness.Publisher.PublishJsonAsync("invoice.paid", Data);
        await harness.AdvanceAsync(TimeSpan.FromSeconds(5));
        await harness.Publisher.PublishJsonAsync("customer.created", Data);
        await harness.RunUntilIdleAsync();

        Assert.Equal(["failed", "delivered", "rejected"], attempts.GetMeasurementSnapshot().Select(m => (string)m.Tags["webhook.outcome"]!));
        Assert.Equal("gone", (string)Assert.Single(disabled.GetMeasurementSnapshot()).Tags["webhook.reason"]!);
        Assert.Equal(2, published.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    private sealed class RecordingObserver : IWebhookEndpointObserver
    {
        public ConcurrentQueue<(WebhookSubscription Subscription, string Reason)> Calls { get; } = new();

        public ValueTask OnEndpointDisabledAsync(WebhookSubscription subscription, string reason, CancellationToken cancellationToken)
        {
            Calls.Enqueue((subscription, reason));
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task SendingProcessKilledMidAttempt_TakenOverAfterTheLeaseNotCountedAndLoggedInterrupted()
    {
        await using SenderHarness harness = await SenderHarness.StartAsync(
            o =>
            {
                o.RetrySchedule.Clear();
                o.RetrySchedule.Add(TimeSpan.FromMinutes(5));
            },
            start: false);
        WebhookSubscriptionCreated subscription = await harness.SubscribeAsync("invoice.*");
        WebhookPublishResult published = await harness.Publisher.PublishJsonAsync("invoice.paid", Data);

        // What a sending process killed in the middle of its attempt leaves: a claim it never ended, its run begun.
        IWebhookEventStore outbox = harness.Outbox.Store;
        TimeSpan lease = TimeSpan.FromSeconds(15);
        WebhookClaim killed = Assert.Single(await outbox.ClaimAsync(10, lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await outbox.BeginHandlerAsync(killed.Event.Id, killed.Token, typeof(WebhookDeliverySender).FullName!));

        await harness.StartSendingAsync();
        await harness.AdvanceAsync(lease - TimeSpan.FromSeconds(1));
        Assert.Empty(harness.Endpoint.Requests);

        // With one retry left in the schedule, the delivery is sent, once, by the process that took it over: not dead.
        await harness.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Single(harness.Endpoint.Requests);
        WebhookEventSummary delivery = await DeliveryAsync(harness, subscription, published);
        Assert.Equal((WebhookEventStatus.Processed, 1), (delivery.Status, delivery.Attempts));
        IReadOnlyList<WebhookDeliveryAttempt> log = await harness.Log.ListAsync(subscription.Subscription.Id, null, null, 10);
        Assert.Equal([("delivered", 200, 1), ("interrupted", null, 1)], log.Select(a => (a.Outcome, a.StatusCode, a.Attempt)));
        Assert.Contains("stopped", log[1].Error, StringComparison.Ordinal);
    }

    private static async Task<WebhookEventSummary> DeliveryAsync(SenderHarness harness, WebhookSubscriptionCreated subscription, WebhookPublishResult published) =>
        (await harness.Outbox.Store.GetAsync(WebhookOutbox.DeliveryId(subscription.Subscription.Id, published.MessageId)))!;
}
