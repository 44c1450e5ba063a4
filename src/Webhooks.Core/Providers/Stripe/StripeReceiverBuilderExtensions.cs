using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Stripe sources to a receiver.</summary>
public static class StripeReceiverBuilderExtensions
{
    /// <summary>Receives Stripe deliveries at <c>POST {prefix}/stripe</c>, with settings from <c>Webhooks:Stripe</c> (<c>Secret</c> or <c>Secrets</c>, <c>Tolerance</c>, <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddStripe(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new StripeProvider(), configure);
}
