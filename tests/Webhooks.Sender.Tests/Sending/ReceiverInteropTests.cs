using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Sending;
using Webhooks.Sender.Subscriptions;
using Webhooks.Storage;

namespace Webhooks.Sender.Tests.Sending;

/// <summary>What the sender sends, a receiver built with Webhooks.AspNetCore accepts: over real HTTP on loopback, through the guard's handler.</summary>
public sealed class ReceiverInteropTests
{
    private static readonly byte[] Data = """{"invoice":"in_1"}"""u8.ToArray();

    [Fact]
    public async Task StandardWebhooks_DuringRotation_AcceptedWithTheOldSecretAndWithTheNew()
    {
        await using ServiceProvider sender = await StartSenderAsync();
        WebhookSubscriptions subscriptions = sender.GetRequiredService<WebhookSubscriptions>();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(new() { Url = "http://127.0.0.1:1/", EventTypes = ["invoice.*"] });
        WebhookSubscriptionCreated rotated = (await subscriptions.RotateSecretAsync(created.Subscription.Id, TimeSpan.FromHours(1)))!;
        using IHost receiver = await StartReceiverAsync(new()
        {
            ["Webhooks:Sources:acme:Secret"] = created.Secret,   // a receiver that has not switched yet
            ["Webhooks:Sources:acme2:Secret"] = rotated.Secret,  // one that has
        });
        string address = Address(receiver);
        IWebhookPublisher publisher = sender.GetRequiredService<IWebhookPublisher>();

        await subscriptions.UpdateAsync(created.Subscription.Id, new WebhookSubscriptionChange { Url = address + "/webhooks/acme" });
        WebhookPublishResult toOld = await publisher.PublishJsonAsync("invoice.paid", Data);
        WebhookEventSummary first = await WaitForEventAsync(receiver, "acme:" + toOld.MessageId);

        await subscriptions.UpdateAsync(created.Subscription.Id, new WebhookSubscriptionChange { Url = address + "/webhooks/acme2" });
        WebhookPublishResult toNew = await publisher.PublishJsonAsync("invoice.paid", Data);
        WebhookEventSummary second = await WaitForEventAsync(receiver, "acme2:" + toNew.MessageId);

        Assert.Equal("invoice.paid", first.EventType);
        Assert.Equal("invoice.paid", second.EventType);
        await WaitForOutboxAsync(sender, created.Subscription.Id, toNew.MessageId);
    }

    [Fact]
    public async Task GitHubStyle_AcceptedByTheGitHubEndpoint()
    {
        await using ServiceProvider sender = await StartSenderAsync();
        WebhookSubscriptions subscriptions = sender.GetRequiredService<WebhookSubscriptions>();
        WebhookSubscriptionCreated created = await subscriptions.CreateAsync(new()
        {
            Url = "http://127.0.0.1:1/",
            EventTypes = ["*"],
            SignatureStyle = WebhookSignatureStyle.GitHub,
        });
        using IHost receiver = await StartReceiverAsync(new() { ["Webhooks:GitHub:Secret"] = created.Secret });
        await subscriptions.UpdateAsync(created.Subscription.Id, new WebhookSubscriptionChange { Url = Address(receiver) + "/webhooks/github" });

        WebhookPublishResult published = await sender.GetRequiredService<IWebhookPublisher>().PublishJsonAsync("push", Data);

        WebhookEventSummary received = await WaitForEventAsync(receiver, "github:" + published.MessageId);
        Assert.Equal("push", received.EventType);
    }

    private static async Task<ServiceProvider> StartSenderAsync()
    {
        var services = new ServiceCollection();
        services.AddWebhookSender(o =>
        {
            o.AllowInsecureDevelopmentEndpoints = true;
            o.PollInterval = TimeSpan.FromMilliseconds(50);
        });
        ServiceProvider provider = services.BuildServiceProvider();
        foreach (IHostedService hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return provider;
    }

    private static async Task<IHost> StartReceiverAsync(Dictionary<string, string?> settings)
    {
        settings["Webhooks:Processing:PollInterval"] = "00:00:00.050";
        IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureWebHost(web =>
            {
                web.UseKestrel().UseUrls("http://127.0.0.1:0");
                web.ConfigureServices(s =>
                {
                    s.AddRouting();
                    IWebhookReceiverBuilder receiver = s.AddWebhookReceiver();
                    if (settings.ContainsKey("Webhooks:GitHub:Secret"))
                    {
                        receiver.AddGitHub();
                    }
                });
                web.Configure(app => app.UseRouting().UseEndpoints(e => e.MapWebhooks()));
            })
            .Build();
        await host.StartAsync();
        return host;
    }

    private static string Address(IHost host) =>
        host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    private static async Task<WebhookEventSummary> WaitForEventAsync(IHost receiver, string id)
    {
        IWebhookEventStore store = receiver.Services.GetRequiredService<IWebhookEventStore>();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await store.GetAsync(id) is { } stored)
            {
                return stored;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"The receiver never stored {id}.");
            }

            await Task.Delay(10);
        }
    }

    private static async Task WaitForOutboxAsync(ServiceProvider sender, string subscriptionId, string messageId)
    {
        IWebhookEventStore outbox = sender.GetRequiredService<WebhookOutbox>().Store;
        var watch = Stopwatch.StartNew();
        while ((await outbox.GetAsync(WebhookOutbox.DeliveryId(subscriptionId, messageId)))?.Status != WebhookEventStatus.Processed)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("The delivery was never completed in the outbox.");
            }

            await Task.Delay(10);
        }
    }
}
