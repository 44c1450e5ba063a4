using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Webhooks.PostgreSql;

/// <summary>Unhealthy when the database does not answer or its schema is not the version this package needs; reports the oldest due event.</summary>
internal sealed class PostgreSqlHealthCheck(PostgreSqlDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string s = database.Schema;
        try
        {
            using NpgsqlCommand command = database.DataSource.CreateCommand(
                $"SELECT (SELECT coalesce(max(version), 0) FROM {s}.schema_version), (SELECT min(due_at) FROM {s}.events WHERE status IN (0, 1, 3) AND due_at <= clock_timestamp())");
            NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                int version = reader.GetInt32(0);
                var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["schemaVersion"] = version };
                if (!await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false))
                {
                    data["oldestDueAt"] = new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero);
                }

                return version == WebhookPostgreSqlSchema.Version
                    ? HealthCheckResult.Healthy("PostgreSQL answers.", data)
                    : HealthCheckResult.Unhealthy($"The schema '{s}' is at version {version}; this package needs {WebhookPostgreSqlSchema.Version}.", data: data);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer: " + ex.Message, ex);
        }
    }
}
