using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Linear sources to a receiver.</summary>
public static class LinearReceiverBuilderExtensions
{
    /// <summary>Receives Linear deliveries at <c>POST {prefix}/linear</c>, with settings from <c>Webhooks:Linear</c> (<c>Secret</c>: the webhook's signing secret, or <c>Secrets</c>; <c>Tolerance</c> (60 seconds unless set), <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddLinear(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new LinearProvider(), configure);
}
