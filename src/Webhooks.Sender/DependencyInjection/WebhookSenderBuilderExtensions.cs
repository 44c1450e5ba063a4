using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Webhooks.Sender.Sending;
using Webhooks.Storage;

namespace Webhooks.Sender;

/// <summary>Chooses the sender's stores.</summary>
public static class WebhookSenderBuilderExtensions
{
    /// <summary>
    /// Keeps the outbox in a store of the application's choosing instead of memory: an <see cref="IWebhookEventStore"/> for the deliveries
    /// and their attempts, separate from the receiver's (a <c>RedisEventStore</c> under its own key prefix, for example). Every process that shares them shares the sending:
    /// each due delivery is claimed by one of them, and a crashed one's deliveries are taken over when their lease ends.
    /// </summary>
    /// <param name="builder">The sender builder.</param>
    /// <param name="store">Makes the outbox's event store.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IWebhookSenderBuilder UseOutboxStore(this IWebhookSenderBuilder builder, Func<IServiceProvider, IWebhookEventStore> store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        builder.Services.Replace(ServiceDescriptor.Singleton(sp => new WebhookOutbox(store(sp))));
        return builder;
    }
}
