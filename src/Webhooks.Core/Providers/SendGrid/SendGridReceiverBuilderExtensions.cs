using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds SendGrid sources to a receiver.</summary>
public static class SendGridReceiverBuilderExtensions
{
    /// <summary>Receives SendGrid deliveries at <c>POST {prefix}/sendgrid</c>, with settings from <c>Webhooks:SendGrid</c> (<c>Secret</c>: the Event Webhook's verification key (base64 or PEM), or <c>Secrets</c>; <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddSendGrid(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new SendGridProvider(), configure);
}
