using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Webhooks.Idempotency;
using Webhooks.Processing;
using Webhooks.PostgreSql;
using Webhooks.Storage;

namespace Webhooks;

/// <summary>Keeps events and handler effects in PostgreSQL, shared by every receiver process.</summary>
public static class WebhookPostgreSqlBuilderExtensions
{
    /// <summary>The default name of the PostgreSQL health check.</summary>
    public const string HealthCheckName = "webhooks-postgresql";

    /// <summary>
    /// Replaces the in-memory stores with <see cref="PostgreSqlEventStore"/> and <see cref="PostgreSqlIdempotencyStore"/>. Settings
    /// come from <c>Webhooks:PostgreSql</c> (<c>ConnectionString</c>, <c>Schema</c>, <c>MigrateOnStart</c>); without a connection
    /// string, an <see cref="NpgsqlDataSource"/> registered in the services is used. At start-up the schema is created or brought
    /// up to date (or, with <c>MigrateOnStart</c> off, its version checked) before anything is received. Handlers may take a
    /// <see cref="WebhookPostgreSqlTransaction"/> to make their effects in the database exactly once.
    /// </summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder UsePostgreSql(this IWebhookReceiverBuilder builder, Action<WebhookPostgreSqlOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.AddOptions<WebhookPostgreSqlOptions>()
            .Configure<IServiceProvider>(static (options, sp) => Bind(options, WebhookReceiverOptions.GetConfiguration(sp)))
            .Validate(static options => IsValidSchema(options.Schema), "Webhooks:PostgreSql:Schema may only hold lower-case ASCII letters, digits and '_', start with a letter or '_', and be at most 63 characters.")
            .ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(static sp => new PostgreSqlDatabase(sp.GetRequiredService<IOptions<WebhookPostgreSqlOptions>>().Value, sp.GetService<NpgsqlDataSource>()));
        services.RemoveAll<IWebhookEventStore>();
        services.RemoveAll<IIdempotencyStore>();
        services.AddSingleton<IWebhookEventStore>(static sp =>
        {
            PostgreSqlDatabase database = sp.GetRequiredService<PostgreSqlDatabase>();
            return new PostgreSqlEventStore(database.DataSource, database.Schema, sp.GetRequiredService<IOptions<WebhookReceiverOptions>>().Value.ProcessedRetention);
        });
        services.AddSingleton<IIdempotencyStore>(static sp =>
        {
            PostgreSqlDatabase database = sp.GetRequiredService<PostgreSqlDatabase>();
            return new PostgreSqlIdempotencyStore(database.DataSource, database.Schema);
        });

        // A handler's exactly-once writes, committed with the record of its success.
        services.TryAddScoped(static sp => new WebhookPostgreSqlTransaction(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<WebhookHandlerContext>()));

        // Before the receiver's own hosted services, so that the tables exist when the dispatcher first claims.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(static sp =>
            new PostgreSqlStartup(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<IOptions<WebhookPostgreSqlOptions>>().Value)));
        return builder;
    }

    /// <summary>Uses PostgreSQL at <paramref name="connectionString"/>.</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder UsePostgreSql(this IWebhookReceiverBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return builder.UsePostgreSql(o => o.ConnectionString = connectionString);
    }

    /// <summary>
    /// Adds a check of the PostgreSQL behind the webhook stores: Unhealthy when it does not answer or its schema is not at
    /// <see cref="WebhookPostgreSqlSchema.Version"/>; its data carries the schema version and the oldest due event's due time.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name; <c>webhooks-postgresql</c> by default.</param>
    /// <param name="tags">Tags to filter the check by.</param>
    /// <param name="timeout">How long the database may take to answer; 5 seconds by default.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddWebhookPostgreSql(this IHealthChecksBuilder builder, string name = HealthCheckName, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => new PostgreSqlHealthCheck(sp.GetService<PostgreSqlDatabase>() ?? throw new InvalidOperationException("The PostgreSQL health check needs AddWebhookReceiver().UsePostgreSql().")),
            HealthStatus.Unhealthy,
            tags,
            timeout ?? TimeSpan.FromSeconds(5)));
    }

    private static void Bind(WebhookPostgreSqlOptions options, IConfiguration? receiver)
    {
        if (receiver?.GetSection("PostgreSql") is not { } section)
        {
            return;
        }

        if (section["ConnectionString"] is { Length: > 0 } connectionString)
        {
            options.ConnectionString = connectionString;
        }

        if (section["Schema"] is { Length: > 0 } schema)
        {
            options.Schema = schema;
        }

        if (section["MigrateOnStart"] is { } migrate)
        {
            options.MigrateOnStart = bool.TryParse(migrate, out bool value)
                ? value
                : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{section.Path}:MigrateOnStart is not valid: expected true or false."));
        }
    }

    private static bool IsValidSchema(string schema)
    {
        try
        {
            WebhookPostgreSqlSchema.ValidateName(schema);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
