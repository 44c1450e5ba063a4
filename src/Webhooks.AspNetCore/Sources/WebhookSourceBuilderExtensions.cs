using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Webhooks.AspNetCore.Endpoints;
using Webhooks.AspNetCore.Sources;

namespace Webhooks;

/// <summary>Adds the sources that <c>MapWebhooks()</c> receives from.</summary>
public static class WebhookSourceBuilderExtensions
{
    /// <summary>Receives GitHub deliveries at <c>POST {prefix}/github</c>, with settings from <c>Webhooks:GitHub</c> (<c>Secret</c> or <c>Secrets</c>, <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is bound; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddGitHub(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        AddSource(builder, new WebhookSource("github", WebhookSourceKind.GitHub, "Webhooks:GitHub"), configure);

    /// <summary>Receives Stripe deliveries at <c>POST {prefix}/stripe</c>, with settings from <c>Webhooks:Stripe</c> (<c>Secret</c>, <c>Tolerance</c>, <c>MaxBodyBytes</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is bound; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddStripe(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        AddSource(builder, new WebhookSource("stripe", WebhookSourceKind.Stripe, "Webhooks:Stripe"), configure);

    /// <summary>Receives a Standard Webhooks sender at <c>POST {prefix}/{name}</c>, with settings from <c>Webhooks:Sources:{name}</c>.</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="name">The source name: ASCII letters, digits, '-' and '_'.</param>
    /// <param name="configure">Changes the options after configuration is bound; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or holds other characters.</exception>
    public static IWebhookReceiverBuilder AddStandardWebhooks(this IWebhookReceiverBuilder builder, string name, Action<WebhookSourceOptions>? configure = null)
    {
        WebhookSource.ValidateName(name);
        return AddSource(builder, new WebhookSource(name.ToLowerInvariant(), WebhookSourceKind.StandardWebhooks, "Webhooks:Sources:" + name), configure);
    }

    /// <summary>Every source configured under <c>Webhooks:Sources</c> as a Standard Webhooks source.</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configuration">The application configuration.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddStandardWebhooksFromConfiguration(this IWebhookReceiverBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (IConfigurationSection section in configuration.GetSection("Webhooks:Sources").GetChildren())
        {
            builder.AddStandardWebhooks(section.Key);
        }

        return builder;
    }

    private static IWebhookReceiverBuilder AddSource(IWebhookReceiverBuilder builder, WebhookSource source, Action<WebhookSourceOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        WebhookSourceRegistry registry = GetOrAddRegistry(services);
        registry.Add(source);

        OptionsBuilder<WebhookSourceOptions> options = services.AddOptions<WebhookSourceOptions>(source.Name);
        options.BindConfiguration(source.ConfigurationKey);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder;
    }

    private static WebhookSourceRegistry GetOrAddRegistry(IServiceCollection services)
    {
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(WebhookSourceRegistry) && descriptor.ImplementationInstance is WebhookSourceRegistry existing)
            {
                return existing;
            }
        }

        var registry = new WebhookSourceRegistry();
        services.AddSingleton(registry);
        services.AddOptions<WebhookEndpointOptions>().BindConfiguration(WebhookReceiverOptions.SectionName);
        services.TryAddSingleton<IWebhookSecretProvider, OptionsSecretProvider>();
        services.TryAddSingleton<WebhookVerifierCache>();
        services.TryAddSingleton<WebhookEndpointHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhookSourcesStartupCheck>());
        return registry;
    }
}
