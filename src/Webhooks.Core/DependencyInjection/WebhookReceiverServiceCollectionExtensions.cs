using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks;
using Webhooks.Diagnostics;
using Webhooks.Processing;
using Webhooks.Sources;
using Webhooks.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the webhook receiver.</summary>
public static class WebhookReceiverServiceCollectionExtensions
{
    /// <summary>
    /// Registers the receiving pipeline: options bound from the <c>Webhooks</c> configuration section and validated at start-up,
    /// in-memory stores (replaceable), the exponential-backoff retry policy, the <see cref="WebhookPipeline"/>, and the dispatcher
    /// as a hosted service. Safe to call more than once; every service is registered with <c>TryAdd</c> and can be replaced.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the options after configuration is bound; optional.</param>
    /// <returns>A builder to add handlers and choose stores.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddWebhookReceiver(this IServiceCollection services, Action<WebhookReceiverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<WebhookHandlerContext>();

        OptionsBuilder<WebhookReceiverOptions> options = services.AddOptionsWithValidateOnStart<WebhookReceiverOptions>();
        if (!services.IsRegistered<WebhookConfigurationBinding>())
        {
            services.AddSingleton<WebhookConfigurationBinding>();
            services.AddSingleton<IConfigureOptions<WebhookReceiverOptions>, BindFromConfiguration>();
            services.AddSingleton<IOptionsChangeTokenSource<WebhookReceiverOptions>, ConfigurationChangeTokenSource>();
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookReceiverOptions>, WebhookReceiverOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookReceiverOptions>, WebhookReceiverOptionsCrossValidator>());

        var builder = new WebhookReceiverBuilder(services);
        builder.UseInMemoryStores();
        services.TryAddSingleton<IRetryPolicy, ExponentialBackoffRetryPolicy>();
        services.TryAddSingleton(static sp => new WebhookStoreStatistics(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new WebhookMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<WebhookStoreStatistics>()));
        services.TryAddSingleton<WebhookWorkSignal>();
        services.TryAddSingleton(static sp => new WebhookPipeline(
            sp.GetRequiredService<IWebhookEventStore>(),
            sp.GetRequiredService<WebhookWorkSignal>(),
            sp.GetRequiredService<WebhookMetrics>(),
            sp.GetService<ILogger<WebhookPipeline>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhookDispatcher>());
        AddSources(services);
        return builder;
    }

    /// <summary>
    /// Registers the receiving pipeline as <see cref="AddWebhookReceiver(IServiceCollection, Action{WebhookReceiverOptions}?)"/>
    /// does, with everything bound from <paramref name="configuration"/> instead of the <c>Webhooks</c> section: the options,
    /// the sources and their secrets (<c>GitHub</c>, <c>Stripe</c>, <c>Sources:&lt;name&gt;</c>) and the stores' settings
    /// (<c>Redis</c>). Reloads of that section are followed as the default section's are.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section to bind from, for example <c>builder.Configuration.GetSection("Integrations:Webhooks")</c>.</param>
    /// <returns>A builder to add handlers and choose stores.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddWebhookReceiver(this IServiceCollection services, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddKeyedSingleton<IConfiguration>(WebhookReceiverOptions.ConfigurationServiceKey, configuration);
        return services.AddWebhookReceiver();
    }

    /// <summary>Sources: those added in code and those configured under <c>Webhooks:Sources</c>, their settings and secrets.</summary>
    private static void AddSources(IServiceCollection services)
    {
        WebhookSourceRegistrations registrations = WebhookSourceRegistrations.Of(services);
        services.TryAddSingleton(sp => new WebhookSourceRegistry(registrations, WebhookReceiverOptions.GetConfiguration(sp)));
        services.AddOptions<WebhookSourceOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<WebhookSourceOptions>, WebhookSourceConfiguration>());
        services.TryAddSingleton<IWebhookSecretProvider>(static sp => new OptionsSecretProvider(sp.GetRequiredService<IOptionsMonitor<WebhookSourceOptions>>()));
        services.TryAddSingleton(static sp => new WebhookVerifierCache(
            sp.GetRequiredService<IWebhookSecretProvider>(),
            sp.GetRequiredService<IOptionsMonitor<WebhookSourceOptions>>(),
            sp.GetRequiredService<IOptionsMonitorCache<WebhookSourceOptions>>(),
            sp.GetRequiredService<IOptionsMonitor<WebhookReceiverOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            WebhookReceiverOptions.GetConfiguration(sp),
            sp.GetService<ILogger<WebhookVerifierCache>>()));
        services.TryAddSingleton(static sp => new WebhookSources(sp.GetRequiredService<WebhookSourceRegistry>(), sp.GetRequiredService<WebhookVerifierCache>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhookSourcesStartupCheck>());
    }

    private static bool IsRegistered<T>(this IServiceCollection services)
    {
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(T))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Marks that configuration binding is registered, so that calling <c>AddWebhookReceiver</c> twice binds once.</summary>
    private sealed class WebhookConfigurationBinding;

    /// <summary>Binds the receiver's section (<see cref="WebhookReceiverOptions.GetConfiguration"/>) when there is one; code-only hosts need none.</summary>
    private sealed class BindFromConfiguration(IServiceProvider services) : IConfigureOptions<WebhookReceiverOptions>
    {
        public void Configure(WebhookReceiverOptions options)
        {
            if (WebhookReceiverOptions.GetConfiguration(services) is { } section)
            {
                section.Bind(options);
            }
        }
    }

    private sealed class ConfigurationChangeTokenSource(IServiceProvider services) : IOptionsChangeTokenSource<WebhookReceiverOptions>
    {
        public string Name => Options.Options.DefaultName;

        public Primitives.IChangeToken GetChangeToken() =>
            WebhookReceiverOptions.GetConfiguration(services)?.GetReloadToken()
            ?? NullChangeToken.Instance;
    }

    private sealed class NullChangeToken : Primitives.IChangeToken
    {
        public static readonly NullChangeToken Instance = new();

        public bool HasChanged => false;

        public bool ActiveChangeCallbacks => false;

        public IDisposable RegisterChangeCallback(Action<object?> callback, object? state) => EmptyDisposable.Instance;
    }

    private sealed class EmptyDisposable : IDisposable
    {
        public static readonly EmptyDisposable Instance = new();

        public void Dispose()
        {
        }
    }
}
