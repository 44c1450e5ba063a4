using System;
using System.Linq;
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
    public static IWebhookReceiverBuilder AddHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this IWebhookReceiverBuilder builder, string source, string eventType = "*")
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
        builder.Services.TryAddSingleton(static sp =>
        {
            WebhookReceiverOptions options = sp.GetRequiredService<IOptions<WebhookReceiverOptions>>().Value;
            return new InMemoryIdempotencyStore(sp.GetRequiredService<TimeProvider>(), options.InMemory.MaxIdempotencyKeys);
        });
        builder.Services.TryAddSingleton(static sp =>
        {
            WebhookReceiverOptions options = sp.GetRequiredService<IOptions<WebhookReceiverOptions>>().Value;
            var store = new InMemoryEventStore(sp.GetRequiredService<TimeProvider>(), options.InMemory, options.ProcessedRetention);
            if (sp.GetRequiredService<IIdempotencyStore>() is InMemoryIdempotencyStore ledger)
            {
                // Both stores live in this process's memory: refuse a delivery while the ledger could not record the work of
                // its handlers, instead of accepting events that would wait for room forever.
                int headroom = Math.Max(1, sp.GetServices<WebhookHandlerRegistration>().Count());
                store.AppendGuard = () => ledger.FullReason(headroom);
            }

            return store;
        });
        builder.Services.TryAddSingleton<IWebhookEventStore>(static sp => sp.GetRequiredService<InMemoryEventStore>());
        builder.Services.TryAddSingleton<IIdempotencyStore>(static sp => sp.GetRequiredService<InMemoryIdempotencyStore>());
        return builder;
    }
}
