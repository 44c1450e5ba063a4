using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Redis;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Redis;

/// <summary>Keeps the sender's subscriptions, outbox and delivery log in Redis.</summary>
public static class WebhookSenderRedisBuilderExtensions
{
    /// <summary>
    /// Keeps the subscriptions (<see cref="RedisWebhookSubscriptionStore"/>, keys <c>&lt;prefix&gt;{subscriptions}:…</c>), the
    /// outbox (<see cref="RedisEventStore"/>, keys <c>&lt;prefix&gt;outbox:…</c>, its attempts and their handler runs) and the
    /// delivery log (<see cref="RedisWebhookDeliveryLog"/>, keys <c>&lt;prefix&gt;{deliveries}:…</c>, kept for
    /// <see cref="WebhookSenderOptions.Retention"/>) in Redis, so that every sending process on it shares them: each delivery is
    /// sent by one of them, a crashed one's deliveries are taken over when their lease ends, and every attempt is listed by all.
    /// </summary>
    /// <param name="builder">The sender builder.</param>
    /// <param name="connection">Gives the connection (one the application made, or one registered in the services).</param>
    /// <param name="keyPrefix">The prefix of every key; <c>webhooks:</c> by default (without braces).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="keyPrefix"/> holds a brace.</exception>
    public static IWebhookSenderBuilder UseRedis(this IWebhookSenderBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> connection, string keyPrefix = "webhooks:")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        if (keyPrefix.Contains('{', StringComparison.Ordinal) || keyPrefix.Contains('}', StringComparison.Ordinal))
        {
            throw new ArgumentException("The key prefix must not hold '{' or '}'.", nameof(keyPrefix));
        }

        // The application's function is called once; the three stores share what it gives.
        builder.Services.Replace(ServiceDescriptor.Singleton(sp => new SenderConnection(connection(sp))));
        builder.Services.Replace(ServiceDescriptor.Singleton<IWebhookSubscriptionStore>(sp => new RedisWebhookSubscriptionStore(Connection(sp), keyPrefix)));
        builder.Services.Replace(ServiceDescriptor.Singleton<IWebhookDeliveryLog>(sp => new RedisWebhookDeliveryLog(
            Connection(sp), keyPrefix, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<WebhookSenderOptions>>().Value.Retention)));
        var outbox = new WebhookRedisOptions { KeyPrefix = keyPrefix + "outbox:" };
        return builder.UseOutboxStore(
            sp => new RedisEventStore(Connection(sp), outbox, sp.GetRequiredService<IOptions<WebhookSenderOptions>>().Value.Retention));
    }

    private static IConnectionMultiplexer Connection(IServiceProvider services) => services.GetRequiredService<SenderConnection>().Multiplexer;

    /// <summary>The connection <c>UseRedis</c> was given, asked for once.</summary>
    private sealed record SenderConnection(IConnectionMultiplexer Multiplexer);
}
