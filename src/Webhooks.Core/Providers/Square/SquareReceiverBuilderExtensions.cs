using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Square sources to a receiver.</summary>
public static class SquareReceiverBuilderExtensions
{
    /// <summary>Receives Square deliveries at <c>POST {prefix}/square</c>, with settings from <c>Webhooks:Square</c> (<c>Secret</c>: the subscription's signature key, or <c>Secrets</c>; <c>PublicUrl</c>: the notification URL exactly as registered with Square, needed behind a proxy; <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddSquare(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new SquareProvider(), configure);
}
