using System;
using System.Collections.Generic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Idempotency;
using Webhooks.Redis;
using Webhooks.Storage;

namespace Webhooks;

/// <summary>Keeps events and handler effects in Redis, shared by every receiver process.</summary>
public static class WebhookRedisBuilderExtensions
{
    /// <summary>The default name of the Redis health check.</summary>
    public const string HealthCheckName = "webhooks-redis";

    /// <summary>
    /// Replaces the in-memory stores with <see cref="RedisEventStore"/> and <see cref="RedisIdempotencyStore"/> on one shared
    /// connection, made lazily on first use (start-up never waits for Redis; while it is down, deliveries get 503 and the
    /// dispatcher backs off, then everything resumes by itself). Settings come from <c>Webhooks:Redis</c> (<c>Configuration</c>,
    /// <c>KeyPrefix</c>, <c>Partitions</c>) and are checked at start-up; without a configuration, an <see cref="IConnectionMultiplexer"/>
    /// registered in the services is used. At start-up the server is checked in the background, and a warning is logged when it
    /// can lose events (<c>maxmemory-policy</c> other than <c>noeviction</c>, or <c>appendonly</c> off).
    /// </summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder UseRedis(this IWebhookReceiverBuilder builder, Action<WebhookRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.AddOptionsWithValidateOnStart<WebhookRedisOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<WebhookRedisOptions>, WebhookRedisOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookRedisOptions>, WebhookRedisOptionsSetup>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(static sp => new RedisConnection(
            sp.GetRequiredService<IOptions<WebhookRedisOptions>>().Value,
            sp.GetService<IConnectionMultiplexer>()));
        services.RemoveAll<IWebhookEventStore>();
        services.RemoveAll<IIdempotencyStore>();
        services.AddSingleton<IWebhookEventStore>(static sp => new RedisEventStore(
            sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<IOptions<WebhookReceiverOptions>>().Value.ProcessedRetention));
        services.AddSingleton<IIdempotencyStore>(static sp => new RedisIdempotencyStore(sp.GetRequiredService<RedisConnection>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisStartupCheck>(static sp =>
            new RedisStartupCheck(sp.GetRequiredService<RedisConnection>(), sp.GetService<ILogger<RedisStartupCheck>>())));
        return builder;
    }

    /// <summary>Uses Redis at <paramref name="configuration"/> (a StackExchange.Redis configuration string, for example <c>localhost:6379</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configuration">The configuration string.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder UseRedis(this IWebhookReceiverBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.UseRedis(o => o.Configuration = configuration);
    }

    /// <summary>
    /// Adds a check of the Redis behind the webhook stores: Unhealthy when it does not answer a <c>PING</c>, Degraded when it can lose
    /// events (<c>maxmemory-policy</c> other than <c>noeviction</c>, or <c>appendonly</c> off), Healthy otherwise.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name; <c>webhooks-redis</c> by default.</param>
    /// <param name="tags">Tags to filter the check by.</param>
    /// <param name="timeout">How long Redis may take to answer; 5 seconds by default.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddWebhookRedis(this IHealthChecksBuilder builder, string name = HealthCheckName, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => new RedisHealthCheck(sp.GetService<RedisConnection>() ?? throw new InvalidOperationException("The Redis health check needs AddWebhookReceiver().UseRedis().")),
            HealthStatus.Unhealthy,
            tags,
            timeout ?? TimeSpan.FromSeconds(5)));
    }
}
