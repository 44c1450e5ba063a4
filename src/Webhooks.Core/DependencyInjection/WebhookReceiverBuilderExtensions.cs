using System;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Webhooks.Idempotency;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks;

/// <summary>Handler and store registration on <see cref="IWebhookReceiverBuilder"/>.</summary>
public static class WebhookReceiverBuilderExtensions
{
    /// <summary>
    /// Runs <typeparamref name="THandler"/> for events of <paramref name="source"/> and <paramref name="eventType"/>. The handler is
    /// registered as scoped (unless already registered) and resolved from a new scope for every attempt.
    /// </summary>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="source">The source name (<c>github</c>, <c>stripe</c>, a Standard Webhooks source), or <c>*</c> for any.</param>
    /// <param name="eventType">The event type (<c>push</c>, <c>payment_intent.succeeded</c>), or <c>*</c> for any; the default.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> or <paramref name="eventType"/> is empty.</exception>
    public static IWebhookReceiverBuilder AddHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this IWebhookReceiverBuilder builder, string source, string eventType = WebhookHandlerRegistration.Any)
        where THandler : class, IWebhookHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(new WebhookHandlerRegistration(source, eventType, typeof(THandler)));
        builder.Services.TryAddScoped<THandler>();
        return builder;
    }

    /// <summary>
    /// Keeps events and idempotency keys in process memory (the default): bounded by <c>Webhooks:InMemory</c>, lost when the
    /// process ends. For development, tests and single-instance services; use a durable store in production.
    /// </summary>
    /// <param name="builder">The receiver builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder UseInMemoryStores(this IWebhookReceiverBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IEventStore>(static sp =>
        {
            WebhookReceiverOptions options = sp.GetRequiredService<IOptions<WebhookReceiverOptions>>().Value;
            return new InMemoryEventStore(sp.GetRequiredService<TimeProvider>(), options.InMemory.MaxEvents, options.ProcessedRetention);
        });
        builder.Services.TryAddSingleton<IIdempotencyStore>(static sp =>
        {
            WebhookReceiverOptions options = sp.GetRequiredService<IOptions<WebhookReceiverOptions>>().Value;
            return new InMemoryIdempotencyStore(sp.GetRequiredService<TimeProvider>(), options.InMemory.MaxIdempotencyKeys);
        });
        return builder;
    }
}
