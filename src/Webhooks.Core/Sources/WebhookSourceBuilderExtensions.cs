using System;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>
/// Adds the sources that <c>MapWebhooks()</c> receives from. A Standard Webhooks source is also added, without code, for every name
/// configured under <c>Webhooks:Sources</c>.
/// </summary>
public static class WebhookSourceBuilderExtensions
{
    /// <summary>Receives GitHub deliveries at <c>POST {prefix}/github</c>, with settings from <c>Webhooks:GitHub</c> (<c>Secret</c> or <c>Secrets</c>, <c>MaxBodyBytes</c>, <c>DeduplicateByBody</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddGitHub(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        AddSource(builder, WebhookSource.GitHub, configure);

    /// <summary>Receives Stripe deliveries at <c>POST {prefix}/stripe</c>, with settings from <c>Webhooks:Stripe</c> (<c>Secret</c> or <c>Secrets</c>, <c>Tolerance</c>, <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddStripe(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        AddSource(builder, WebhookSource.Stripe, configure);

    /// <summary>
    /// Receives a Standard Webhooks sender at <c>POST {prefix}/{name}</c>, with settings from <c>Webhooks:Sources:{name}</c>. Needed only
    /// to configure it in code: a source configured there is added anyway.
    /// </summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="name">The source name: ASCII letters, digits, '-' and '_'.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or holds other characters.</exception>
    public static IWebhookReceiverBuilder AddStandardWebhooks(this IWebhookReceiverBuilder builder, string name, Action<WebhookSourceOptions>? configure = null)
    {
        WebhookSource.ValidateName(name);
        return AddSource(builder, WebhookSource.StandardWebhooks(name), configure);
    }

    private static IWebhookReceiverBuilder AddSource(IWebhookReceiverBuilder builder, WebhookSource source, Action<WebhookSourceOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WebhookSourceRegistrations registrations = WebhookSourceRegistrations.Of(builder.Services);
        foreach (WebhookSource existing in registrations.Sources)
        {
            if (string.Equals(existing.Name, source.Name, StringComparison.OrdinalIgnoreCase) && existing.Kind != source.Kind)
            {
                throw new InvalidOperationException($"The webhook source '{source.Name}' is already registered as {existing.Kind}.");
            }
        }

        registrations.Sources.Add(source);
        if (configure is not null)
        {
            builder.Services.Configure(source.Name, configure);
        }

        return builder;
    }
}
