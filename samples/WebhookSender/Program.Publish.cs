using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Webhooks.Sender;
using Webhooks.Sender.Redis;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Subscriptions;

namespace WebhookSender;

internal static partial class Program
{
    /// <summary>
    /// The library's way: register a subscription pointing at the receiver sample's Standard Webhooks source (with the secret that
    /// source is configured with, as a subscription moved from elsewhere would keep its own), publish events, let the sending
    /// dispatcher deliver them, and print each attempt from the delivery log.
    /// </summary>
    /// <summary>Sends what is due in the Redis outbox until the process is stopped (or killed).</summary>
    private static async Task<int> SendAsync(string[] args)
    {
        if (Option(args, "--redis") is null)
        {
            await Console.Error.WriteLineAsync("send needs --redis HOST:PORT: an outbox in this process's memory would be empty.");
            return 2;
        }

        await using ServiceProvider provider = await StartSenderAsync(args);
        Console.WriteLine("sending from the Redis outbox; Ctrl+C to stop");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        foreach (IHostedService service in provider.GetServices<IHostedService>())
        {
            await service.StopAsync(CancellationToken.None);
        }

        return 0;
    }

    /// <summary>The sender, started: in memory, or with --redis its subscriptions and outbox in Redis.</summary>
    private static async Task<ServiceProvider> StartSenderAsync(string[] args, bool start = true)
    {
        var services = new ServiceCollection();
        // Development only: the receiver sample listens on http and loopback, which the guard refuses otherwise.
        IWebhookSenderBuilder sender = services.AddWebhookSender(options =>
        {
            options.AllowInsecureDevelopmentEndpoints = true;
            if (Option(args, "--attempt-timeout") is { } seconds)
            {
                options.AttemptTimeout = TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture));
            }
        });
        if (Option(args, "--redis") is { } redis)
        {
            ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis);
            services.AddSingleton<IConnectionMultiplexer>(connection);
            sender.UseRedis(o => o.KeyPrefix = Option(args, "--prefix") ?? "webhooks:");
        }

        ServiceProvider provider = services.BuildServiceProvider();
        if (start)
        {
            foreach (IHostedService service in provider.GetServices<IHostedService>())
            {
                await service.StartAsync(CancellationToken.None);
            }
        }

        return provider;
    }

    private static async Task<int> PublishAsync(string[] args)
    {
        string url = Option(args, "--url") ?? "http://127.0.0.1:5080/webhooks/acme";
        int count = int.Parse(Option(args, "--count") ?? "3", CultureInfo.InvariantCulture);

        // The dispatcher starts once every message is in the outbox, so that what is sent is what was published.
        await using ServiceProvider provider = await StartSenderAsync(args, start: false);
        IHostedService[] hosted = [.. provider.GetServices<IHostedService>()];

        WebhookSubscriptionCreated created;
        try
        {
            created = await provider.GetRequiredService<WebhookSubscriptions>().CreateAsync(new WebhookSubscriptionRequest
            {
                Url = url,
                EventTypes = ["invoice.*"],
                Description = "the receiver sample",
                Secret = AcmeSecret,
            });
        }
        catch (WebhookSubscriptionException ex)
        {
            await Console.Error.WriteLineAsync($"The subscription was refused: {ex.ErrorCode}: {ex.Message}");
            return 1;
        }

        Console.WriteLine($"subscription {created.Subscription.Id} -> {url}");
        IWebhookPublisher publisher = provider.GetRequiredService<IWebhookPublisher>();
        var messages = new List<string>();
        for (int i = 1; i <= count; i++)
        {
            string data = "{\"invoice\":\"in_" + Guid.NewGuid().ToString("N")[..12] + "\",\"amount\":" + (i * 1000).ToString(CultureInfo.InvariantCulture) + "}";
            WebhookPublishResult published = await publisher.PublishJsonAsync("invoice.paid", Encoding.UTF8.GetBytes(data));
            messages.Add(published.MessageId);
            Console.WriteLine($"published {published.MessageId} (invoice.paid) to {published.Deliveries} subscription(s)");
        }

        foreach (IHostedService service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        // Wait (at most 30 s) until every message has a final attempt in the delivery log.
        IWebhookDeliveryLog log = provider.GetRequiredService<IWebhookDeliveryLog>();
        var watch = Stopwatch.StartNew();
        int delivered = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            IReadOnlyList<WebhookDeliveryAttempt> attempts = await log.ListAsync(created.Subscription.Id, null, null, 1000);
            delivered = attempts.Count(a => string.Equals(a.Outcome, "delivered", StringComparison.Ordinal));
            if (delivered == count || attempts.Any(a => string.Equals(a.Outcome, "rejected", StringComparison.Ordinal)))
            {
                break;
            }

            await Task.Delay(50);
        }

        foreach (WebhookDeliveryAttempt attempt in (await log.ListAsync(created.Subscription.Id, null, null, 1000)).Reverse())
        {
            Console.WriteLine($"attempt {attempt.Attempt} of {attempt.MessageId}: {attempt.Outcome} {attempt.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-"} {attempt.Error} {attempt.ResponseSnippet}");
        }

        foreach (IHostedService service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        Console.WriteLine($"{delivered} of {count} delivered");
        return delivered == count ? 0 : 1;
    }
}
