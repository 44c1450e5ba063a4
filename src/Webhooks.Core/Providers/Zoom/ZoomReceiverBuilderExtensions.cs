using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Zoom sources to a receiver.</summary>
public static class ZoomReceiverBuilderExtensions
{
    /// <summary>Receives Zoom deliveries at <c>POST {prefix}/zoom</c>, with settings from <c>Webhooks:Zoom</c> (<c>Secret</c>: the app's secret token, or <c>Secrets</c>; <c>Tolerance</c>, <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddZoom(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new ZoomProvider(), configure);
}
