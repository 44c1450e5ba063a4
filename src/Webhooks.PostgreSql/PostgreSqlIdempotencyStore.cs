using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using NpgsqlTypes;
using Webhooks.Idempotency;

namespace Webhooks.PostgreSql;

/// <summary>
/// An <see cref="IIdempotencyStore"/> in PostgreSQL: a key's lease is taken with one upsert that succeeds only when the key is
/// new, its lease expired, or its completion has been forgotten; tokens come from the schema's sequence; times are the database's.
/// </summary>
public sealed class PostgreSqlIdempotencyStore : IIdempotencyStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _s;

    /// <summary>Creates a store on a migrated schema.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="schema">The schema the tables are in; <c>webhooks</c> by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid schema name.</exception>
    public PostgreSqlIdempotencyStore(NpgsqlDataSource dataSource, string schema = WebhookPostgreSqlSchema.DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        WebhookPostgreSqlSchema.ValidateName(schema);
        _dataSource = dataSource;
        _s = schema;
    }

    /// <summary>Gets or sets a clock that replaces the database's, for tests.</summary>
    internal TimeProvider? TestClock { get; set; }

    private static string Now => "coalesce($1::timestamptz, clock_timestamp())";

    /// <inheritdoc />
    public async ValueTask<IdempotencyBeginResult> TryBeginAsync(string key, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);

        // The upsert takes the key unless a live lease or a remembered completion holds it; the outer query reads the row as it
        // was before the statement, to say which of the two stopped it.
        using NpgsqlCommand command = Command(
            $"""
            WITH taken AS (
              INSERT INTO {_s}.idempotency AS i (key, token, done, until) VALUES ($2, nextval('{_s}.tokens'), false, {Now} + $3)
              ON CONFLICT (key) DO UPDATE SET token = nextval('{_s}.tokens'), done = false, until = {Now} + $3
                WHERE i.until <= {Now}
              RETURNING token)
            SELECT (SELECT token FROM taken), (SELECT done FROM {_s}.idempotency WHERE key = $2)
            """,
            key, lease);
        try
        {
            NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false))
            {
                return new IdempotencyBeginResult(IdempotencyStatus.Started, reader.GetInt64(0));
            }

            return !await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false) && reader.GetBoolean(1) ? IdempotencyBeginResult.AlreadyProcessed : IdempotencyBeginResult.InProgress;
        }
        catch (Exception ex) when (PostgreSqlFailures.IsUnavailable(ex, cancellationToken))
        {
            throw PostgreSqlFailures.Unavailable(ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(string key, long token, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        return ChangedAsync(
            $"UPDATE {_s}.idempotency SET done = true, until = {Now} + $4 WHERE key = $2 AND token = $3 AND NOT done AND until > {Now}",
            cancellationToken, key, token, retention);
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(string key, long token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ChangedAsync($"DELETE FROM {_s}.idempotency WHERE key = $2 AND token = $3 AND NOT done AND until > {Now}", cancellationToken, key, token);
    }

    private async ValueTask<bool> ChangedAsync(string sql, CancellationToken cancellationToken, params object[] values)
    {
        using NpgsqlCommand command = Command(sql, values);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception ex) when (PostgreSqlFailures.IsUnavailable(ex, cancellationToken))
        {
            throw PostgreSqlFailures.Unavailable(ex);
        }
    }

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        NpgsqlCommand command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = TestClock is { } clock ? clock.GetUtcNow().UtcDateTime : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        foreach (object value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
