using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds StandardWebhooks sources to a receiver.</summary>
public static class StandardWebhooksReceiverBuilderExtensions
{
    /// <summary>
    /// Receives a Standard Webhooks sender (or a Svix-hosted one) at <c>POST {prefix}/{name}</c>, with settings from
    /// <c>Webhooks:Sources:{name}</c>. Needed only to configure it in code: a source configured there is added anyway.
    /// </summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="name">The source name: ASCII letters, digits, '-' and '_'.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or holds other characters.</exception>
    public static IWebhookReceiverBuilder AddStandardWebhooks(this IWebhookReceiverBuilder builder, string name, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(name, new StandardWebhooksProvider(), configure);
}
