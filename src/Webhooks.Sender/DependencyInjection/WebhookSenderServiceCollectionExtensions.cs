using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.Processing;
using Webhooks.Sender;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Diagnostics;
using Webhooks.Sender.DependencyInjection;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Security;
using Webhooks.Sender.Sending;
using Webhooks.Sender.Subscriptions;
using Webhooks.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the webhook sender.</summary>
public static class WebhookSenderServiceCollectionExtensions
{
    /// <summary>The meter of the sender's instruments.</summary>
    public const string MeterName = "Webhooks.Sender";

    /// <summary>
    /// Registers sending: <see cref="WebhookSenderOptions"/> bound from <c>Webhooks:Sender</c> and validated at start-up, the
    /// <see cref="WebhookUrlPolicy"/>, <see cref="WebhookSubscriptions"/> over an in-memory subscription store, the in-memory outbox
    /// and delivery log, <see cref="IWebhookPublisher"/>, the <c>Webhooks.Sender</c> HTTP client (through the guard's handler), and
    /// the hosted dispatcher that sends. Safe to call more than once; every store can be replaced.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the options after configuration is bound; optional.</param>
    /// <returns>A builder to choose the stores.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IWebhookSenderBuilder AddWebhookSender(this IServiceCollection services, Action<WebhookSenderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        OptionsBuilder<WebhookSenderOptions> options = services.AddOptionsWithValidateOnStart<WebhookSenderOptions>();
        if (!services.IsRegisteredSender())
        {
            services.AddSingleton<SenderMarker>();
            services.AddSingleton<IConfigureOptions<WebhookSenderOptions>>(static sp => new ConfigureOptions<WebhookSenderOptions>(options =>
            {
                if (sp.GetService<IConfiguration>()?.GetSection("Webhooks:Sender") is { } section && section.Exists())
                {
                    if (section.GetSection("RetrySchedule").Exists())
                    {
                        options.RetrySchedule.Clear();
                    }

                    section.Bind(options);
                }
            }));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookSenderOptions>, WebhookSenderOptionsValidator>());
        services.TryAddSingleton(static sp => new WebhookUrlPolicy(sp.GetRequiredService<IOptions<WebhookSenderOptions>>().Value.AllowInsecureDevelopmentEndpoints));
        services.TryAddSingleton<IWebhookSubscriptionStore, InMemoryWebhookSubscriptionStore>();
        services.TryAddSingleton(static sp => new WebhookSubscriptions(
            sp.GetRequiredService<IWebhookSubscriptionStore>(), sp.GetRequiredService<WebhookUrlPolicy>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IWebhookDeliveryLog>(static sp => new InMemoryWebhookDeliveryLog(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<WebhookSenderOptions>>().Value.Retention));
        services.TryAddSingleton(static sp =>
        {
            TimeProvider time = sp.GetRequiredService<TimeProvider>();
            return new WebhookOutbox(
                new InMemoryEventStore(time, processedRetention: sp.GetRequiredService<IOptions<WebhookSenderOptions>>().Value.Retention));
        });
        services.TryAddSingleton(static sp => new SenderDiagnostics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        // The library's publisher, once: IWebhookPublisher unless the application replaced it, and always behind test events.
        services.TryAddSingleton(static sp => new WebhookPublisher(
            sp.GetRequiredService<IWebhookSubscriptionStore>(), sp.GetRequiredService<WebhookOutbox>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SenderDiagnostics>()));
        services.TryAddSingleton<IWebhookPublisher>(static sp => sp.GetRequiredService<WebhookPublisher>());
        services.TryAddSingleton(static sp => new WebhookTestEvents(sp.GetRequiredService<WebhookPublisher>()));

        services.AddHttpClient(WebhookDeliverySender.HttpClientName, static client => client.Timeout = System.Threading.Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static sp => sp.GetRequiredService<WebhookUrlPolicy>().CreateHandler());
        services.TryAddTransient(static sp => new WebhookDeliverySender(
            sp.GetRequiredService<WebhookSubscriptions>(),
            sp.GetRequiredService<System.Net.Http.IHttpClientFactory>(),
            sp.GetRequiredService<IWebhookDeliveryLog>(),
            sp.GetRequiredService<IOptions<WebhookSenderOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetServices<IWebhookEndpointObserver>(),
            sp.GetRequiredService<SenderDiagnostics>(),
            sp.GetService<ILogger<WebhookDeliverySender>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhookSendingService>(static sp => CreateSendingService(sp)));
        return new WebhookSenderBuilder(services);
    }

    private static bool IsRegisteredSender(this IServiceCollection services)
    {
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(SenderMarker))
            {
                return true;
            }
        }

        return false;
    }

    private static WebhookSendingService CreateSendingService(IServiceProvider sp)
    {
        WebhookSenderOptions sender = sp.GetRequiredService<IOptions<WebhookSenderOptions>>().Value;
        WebhookOutbox outbox = sp.GetRequiredService<WebhookOutbox>();

        // The outbox's queue: an attempt is one HTTP request, so its lease and timeout are the attempt's timeout and a margin.
        var options = new WebhookWorkQueueOptions
        {
            Concurrency = sender.Concurrency,
            PollInterval = sender.PollInterval,
            HandlerTimeout = sender.AttemptTimeout + TimeSpan.FromSeconds(5),
            LeaseDuration = sender.AttemptTimeout + TimeSpan.FromSeconds(5),
        };
        var queue = new WebhookWorkQueue(
            outbox.Store,
            [new WebhookHandlerRegistration(WebhookHandlerRegistration.Any, WebhookHandlerRegistration.Any, typeof(WebhookDeliverySender))],
            options,
            sp.GetRequiredService<IServiceScopeFactory>(),
            new SenderRetryPolicy(sender),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetService<ILoggerFactory>(),
            MeterName,
            "webhooks.outbox");
        outbox.Attach(queue);
        return new WebhookSendingService(queue);
    }

    /// <summary>Marks that the sender's configuration binding is registered.</summary>
    private sealed class SenderMarker;
}
