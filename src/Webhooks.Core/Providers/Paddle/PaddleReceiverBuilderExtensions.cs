using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Paddle sources to a receiver.</summary>
public static class PaddleReceiverBuilderExtensions
{
    /// <summary>Receives Paddle deliveries at <c>POST {prefix}/paddle</c>, with settings from <c>Webhooks:Paddle</c> (<c>Secret</c>: the notification destination's secret key, or <c>Secrets</c>; <c>Tolerance</c> (5 seconds unless set), <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddPaddle(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new PaddleProvider(), configure);
}
