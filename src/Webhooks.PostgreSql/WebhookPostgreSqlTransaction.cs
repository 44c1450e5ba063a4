using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Webhooks.Processing;

namespace Webhooks.PostgreSql;

/// <summary>
/// Exactly-once effects for a handler whose effect is in the same PostgreSQL database as the events: what the handler writes in
/// <see cref="RunAsync"/>'s transaction commits together with the record that the handler succeeded for the event, or neither
/// does. Inject it into the handler (it is scoped to the handler's run). A crash before the commit leaves no effect and no record,
/// so the next attempt runs the handler again; a crash after it leaves both, so no attempt runs it again.
/// </summary>
/// <remarks>
/// The record is fenced by the claim's token: when the attempt's lease was lost (another process has claimed the event meanwhile),
/// nothing is committed and <see cref="RunAsync"/> throws. The effect must be written through the connection and transaction
/// given to the work, to the database the stores use; effects elsewhere (an HTTP call, another database) are not covered.
/// </remarks>
public sealed class WebhookPostgreSqlTransaction
{
    private readonly PostgreSqlDatabase _database;
    private readonly WebhookHandlerContext _context;

    internal WebhookPostgreSqlTransaction(PostgreSqlDatabase database, WebhookHandlerContext context)
    {
        _database = database;
        _context = context;
    }

    /// <summary>
    /// Opens a connection and a transaction, runs <paramref name="work"/> in it, records the running handler's success for its
    /// event in the same transaction, and commits.
    /// </summary>
    /// <param name="work">The handler's writes, through the connection and transaction it is given.</param>
    /// <param name="cancellationToken">The handler's cancellation token.</param>
    /// <returns>A task that completes once both are committed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// Called outside a handler run by the dispatcher, or the attempt no longer owns the event (its lease was lost): nothing was
    /// committed.
    /// </exception>
    public async Task RunAsync(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!_context.IsActive)
        {
            throw new InvalidOperationException("WebhookPostgreSqlTransaction.RunAsync records a handler's success: call it from a handler the dispatcher runs.");
        }

        NpgsqlConnection connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable connectionScope = connection.ConfigureAwait(false);
        NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable transactionScope = transaction.ConfigureAwait(false);
        await work(connection, transaction, cancellationToken).ConfigureAwait(false);

        // The handler's success, only while this attempt's claim still owns the event and its run.
        using var record = new NpgsqlCommand(
            $"""
            UPDATE {_database.Schema}.events SET
              succeeded = CASE WHEN $3 = ANY (coalesce(succeeded, ARRAY[]::text[])) THEN succeeded ELSE array_append(coalesce(succeeded, ARRAY[]::text[]), $3) END
            WHERE id = $1 AND status = 1 AND token = $2 AND run_token = $2
            """,
            connection,
            transaction);
        record.Parameters.Add(new NpgsqlParameter { Value = _context.EventId });
        record.Parameters.Add(new NpgsqlParameter { Value = _context.Token });
        record.Parameters.Add(new NpgsqlParameter { Value = _context.HandlerName });
        if (await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"The attempt on event '{_context.EventId}' no longer owns it (its lease was lost): the handler's writes were rolled back.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
