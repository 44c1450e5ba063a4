using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Redis;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Redis;

/// <summary>Keeps the sender's subscriptions, outbox and delivery log in Redis.</summary>
public static class WebhookSenderRedisBuilderExtensions
{
    /// <summary>The configuration section of the sender's Redis settings, and the name of its <see cref="WebhookRedisOptions"/>.</summary>
    public const string SectionName = "Webhooks:Sender:Redis";

    /// <summary>
    /// Keeps the subscriptions (<see cref="RedisWebhookSubscriptionStore"/>, keys <c>&lt;prefix&gt;{subscriptions}:…</c>), the
    /// outbox (<see cref="RedisEventStore"/>, keys <c>&lt;prefix&gt;outbox:…</c>, its attempts and their handler runs) and the
    /// delivery log (<see cref="RedisWebhookDeliveryLog"/>, keys <c>&lt;prefix&gt;{deliveries}:…</c>, kept for
    /// <see cref="WebhookSenderOptions.Retention"/>) in Redis, so that every sending process on it shares them: each delivery is
    /// sent by one of them, a crashed one's deliveries are taken over when their lease ends, and every attempt is listed by all.
    /// The same shape as the receiver's <c>UseRedis</c>: settings from <c>Webhooks:Sender:Redis</c> (<c>Configuration</c>,
    /// <c>KeyPrefix</c>) and <paramref name="configure"/> (named options <see cref="SectionName"/>), checked at start-up; without
    /// a configuration, an <see cref="IConnectionMultiplexer"/> registered in the services is used.
    /// </summary>
    /// <param name="builder">The sender builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookSenderBuilder UseRedis(this IWebhookSenderBuilder builder, Action<WebhookRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.AddOptionsWithValidateOnStart<WebhookRedisOptions>(SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<WebhookRedisOptions>, SenderRedisOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookRedisOptions>, SenderRedisOptionsSetup>());
        if (configure is not null)
        {
            services.Configure(SectionName, configure);
        }

        // One connection for the three stores, made (or taken from the services) when the first of them is resolved.
        services.Replace(ServiceDescriptor.Singleton(static sp => new SenderConnection(Connect(sp, Options(sp)))));
        services.Replace(ServiceDescriptor.Singleton<IWebhookSubscriptionStore>(static sp => new RedisWebhookSubscriptionStore(Connection(sp), Options(sp).KeyPrefix)));
        services.Replace(ServiceDescriptor.Singleton<IWebhookDeliveryLog>(static sp => new RedisWebhookDeliveryLog(
            Connection(sp), Options(sp).KeyPrefix, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<WebhookSenderOptions>>().Value.Retention)));
        return builder.UseOutboxStore(static sp => new RedisEventStore(
            Connection(sp),
            new WebhookRedisOptions { KeyPrefix = Options(sp).KeyPrefix + "outbox:" },
            sp.GetRequiredService<IOptions<WebhookSenderOptions>>().Value.Retention));
    }

    /// <summary>Uses Redis at <paramref name="configuration"/> (a StackExchange.Redis configuration string, for example <c>localhost:6379</c>).</summary>
    /// <param name="builder">The sender builder.</param>
    /// <param name="configuration">The configuration string.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IWebhookSenderBuilder UseRedis(this IWebhookSenderBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.UseRedis(o => o.Configuration = configuration);
    }

    private static WebhookRedisOptions Options(IServiceProvider services) => services.GetRequiredService<IOptionsMonitor<WebhookRedisOptions>>().Get(SectionName);

    private static IConnectionMultiplexer Connection(IServiceProvider services) => services.GetRequiredService<SenderConnection>().Multiplexer;

    /// <summary>
    /// The connection the options name: made from <see cref="WebhookRedisOptions.ConfigurationOptions"/> or
    /// <see cref="WebhookRedisOptions.Configuration"/> when the first store is resolved (a server that is down costs at most the
    /// connect timeout there, and is connected to in the background once it answers), given by the factory, or else the one
    /// registered in the services.
    /// </summary>
    private static IConnectionMultiplexer Connect(IServiceProvider services, WebhookRedisOptions options)
    {
        if (options.ConfigurationOptions is not null || options.Configuration is not null)
        {
            ConfigurationOptions settings = (options.ConfigurationOptions ?? StackExchange.Redis.ConfigurationOptions.Parse(options.Configuration!)).Clone();
            settings.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(settings);
        }

        if (options.ConnectionMultiplexerFactory is { } factory)
        {
#pragma warning disable VSTHRD002 // Resolved once, by a synchronous service factory; the application's factory gives its connection.
            return factory().GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }

        return services.GetRequiredService<IConnectionMultiplexer>();
    }

    /// <summary>The connection <c>UseRedis</c> resolved, once.</summary>
    private sealed record SenderConnection(IConnectionMultiplexer Multiplexer);

    /// <summary>Reads <c>Webhooks:Sender:Redis</c> and checks the sender's Redis settings at start-up, naming the key of any bad value.</summary>
    private sealed class SenderRedisOptionsSetup(IServiceProvider services) : IConfigureNamedOptions<WebhookRedisOptions>, IValidateOptions<WebhookRedisOptions>
    {
        public void Configure(WebhookRedisOptions options) => Configure(Microsoft.Extensions.Options.Options.DefaultName, options);

        public void Configure(string? name, WebhookRedisOptions options)
        {
            if (!string.Equals(name, SectionName, StringComparison.Ordinal) || services.GetService<IConfiguration>()?.GetSection(SectionName) is not { } section)
            {
                return;
            }

            if (section["Configuration"] is { Length: > 0 } configuration)
            {
                options.Configuration = configuration;
            }

            if (section["KeyPrefix"] is { } prefix)
            {
                options.KeyPrefix = prefix;
            }
        }

        public ValidateOptionsResult Validate(string? name, WebhookRedisOptions options)
        {
            if (!string.Equals(name, SectionName, StringComparison.Ordinal))
            {
                return ValidateOptionsResult.Skip;
            }

            var errors = new ValidateOptionsResultBuilder();
            if (RedisOptionsChecks.KeyPrefixError(options.KeyPrefix, SectionName) is { } prefix)
            {
                errors.AddError(prefix);
            }

            RedisOptionsChecks.CheckConnection(errors, options, services, SectionName);
            return errors.Build();
        }
    }
}
