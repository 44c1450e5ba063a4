using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Discord sources to a receiver.</summary>
public static class DiscordReceiverBuilderExtensions
{
    /// <summary>Receives Discord deliveries at <c>POST {prefix}/discord</c>, with settings from <c>Webhooks:Discord</c> (<c>Secret</c>: the application's public key in hex, or <c>Secrets</c>; <c>Tolerance</c>, <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddDiscord(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new DiscordProvider(), configure);
}
