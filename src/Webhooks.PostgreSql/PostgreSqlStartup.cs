using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Webhooks.PostgreSql;

/// <summary>At start-up: migrates the schema (or, when migrations are the application's, checks its version), before any store is used.</summary>
internal sealed class PostgreSqlStartup(PostgreSqlDatabase database, WebhookPostgreSqlOptions options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (options.MigrateOnStart)
            {
                await WebhookPostgreSqlSchema.MigrateAsync(database.DataSource, database.Schema, cancellationToken).ConfigureAwait(false);
                return;
            }

            NpgsqlConnection connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                int version = await WebhookPostgreSqlSchema.ReadVersionAsync(connection, null, database.Schema, cancellationToken).ConfigureAwait(false);
                if (version != WebhookPostgreSqlSchema.Version)
                {
                    throw new InvalidOperationException(
                        $"The PostgreSQL schema '{database.Schema}' is at version {version}; this package needs {WebhookPostgreSqlSchema.Version}. Apply WebhookPostgreSqlSchema.GetScript(), or set Webhooks:PostgreSql:MigrateOnStart to true.");
                }
            }
        }
        catch (PostgresException ex) when (string.Equals(ex.SqlState, PostgresErrorCodes.UndefinedTable, StringComparison.Ordinal) && !options.MigrateOnStart)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL schema '{database.Schema}' has no tables: apply WebhookPostgreSqlSchema.GetScript(), or set Webhooks:PostgreSql:MigrateOnStart to true.", ex);
        }
        catch (Exception ex) when (PostgreSqlFailures.IsUnavailable(ex, cancellationToken))
        {
            throw new InvalidOperationException($"PostgreSQL could not be reached at start-up to prepare the schema '{database.Schema}': {ex.Message}", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
