using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Slack sources to a receiver.</summary>
public static class SlackReceiverBuilderExtensions
{
    /// <summary>Receives Slack deliveries at <c>POST {prefix}/slack</c>, with settings from <c>Webhooks:Slack</c> (<c>Secret</c>: the app's signing secret, or <c>Secrets</c>; <c>Tolerance</c>, <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddSlack(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new SlackProvider(), configure);
}
