using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds Twilio sources to a receiver.</summary>
public static class TwilioReceiverBuilderExtensions
{
    /// <summary>Receives Twilio deliveries at <c>POST {prefix}/twilio</c>, with settings from <c>Webhooks:Twilio</c> (<c>Secret</c>: the account's auth token, or <c>Secrets</c>; <c>PublicUrl</c>: the webhook URL as configured in Twilio, needed behind a proxy; <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddTwilio(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new TwilioProvider(), configure);
}
