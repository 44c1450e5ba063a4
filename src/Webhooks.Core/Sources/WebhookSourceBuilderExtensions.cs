using System;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>
/// Adds the sources that <c>MapWebhooks()</c> receives from: a provider's own source (<c>AddGitHub()</c>, <c>AddStripe()</c>, …,
/// each beside its provider, or <c>AddSource(provider)</c>) or a named one (<c>AddSource(name, provider)</c>). A Standard Webhooks source is also added, without
/// code, for every name configured under <c>Webhooks:Sources</c>.
/// </summary>
public static class WebhookSourceBuilderExtensions
{
    /// <summary>
    /// Receives a sender at <c>POST {prefix}/{name}</c> with any provider's scheme, with settings from <c>Webhooks:Sources:{name}</c>:
    /// for a second account of a provider, or a provider of your own.
    /// </summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="name">The source name: ASCII letters, digits, '-' and '_'.</param>
    /// <param name="provider">The sender's scheme, for example <c>new ShopifyProvider()</c> or your own <see cref="WebhookProvider"/>.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or holds other characters.</exception>
    /// <exception cref="InvalidOperationException">A source of that name is already added with another scheme or section.</exception>
    public static IWebhookReceiverBuilder AddSource(this IWebhookReceiverBuilder builder, string name, WebhookProvider provider, Action<WebhookSourceOptions>? configure = null)
    {
        WebhookSource.ValidateName(name);
        ArgumentNullException.ThrowIfNull(provider);
        return AddSource(builder, WebhookSource.Named(name, provider), configure);
    }

    /// <summary>
    /// Receives a provider's own source at <c>POST {prefix}/{provider name in lower case}</c>, with settings from
    /// <c>Webhooks:{provider name}</c>: what each provider's <c>Add…()</c> does, and how a provider of your own is added.
    /// </summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="provider">The sender's scheme.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A source of that name is already added with another scheme or section.</exception>
    public static IWebhookReceiverBuilder AddSource(this IWebhookReceiverBuilder builder, WebhookProvider provider, Action<WebhookSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return AddSource(builder, WebhookSource.Of(provider), configure);
    }

    private static IWebhookReceiverBuilder AddSource(IWebhookReceiverBuilder builder, WebhookSource source, Action<WebhookSourceOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WebhookSourceRegistrations registrations = WebhookSourceRegistrations.Of(builder.Services);
        foreach (WebhookSource existing in registrations.Sources)
        {
            if (string.Equals(existing.Name, source.Name, StringComparison.OrdinalIgnoreCase) && !existing.SameAs(source))
            {
                throw new InvalidOperationException($"The webhook source '{source.Name}' is already added as a {existing.Provider.Name} source reading {existing.ConfigurationKey}.");
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
