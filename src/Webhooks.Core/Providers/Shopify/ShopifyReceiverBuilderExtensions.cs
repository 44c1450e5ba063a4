using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Shopify sources to a receiver.</summary>
public static class ShopifyReceiverBuilderExtensions
{
    /// <summary>Receives Shopify deliveries at <c>POST {prefix}/shopify</c>, with settings from <c>Webhooks:Shopify</c> (<c>Secret</c>: the app's client secret, or <c>Secrets</c>; <c>MaxBodyBytes</c>, <c>DeduplicateByBody</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddShopify(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new ShopifyProvider(), configure);
}
