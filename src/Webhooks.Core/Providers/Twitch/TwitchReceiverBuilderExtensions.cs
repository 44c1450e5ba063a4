using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Twitch sources to a receiver.</summary>
public static class TwitchReceiverBuilderExtensions
{
    /// <summary>Receives Twitch deliveries at <c>POST {prefix}/twitch</c>, with settings from <c>Webhooks:Twitch</c> (<c>Secret</c>: the EventSub subscription's secret, or <c>Secrets</c>; <c>Tolerance</c> (600 seconds unless set), <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddTwitch(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new TwitchProvider(), configure);
}
