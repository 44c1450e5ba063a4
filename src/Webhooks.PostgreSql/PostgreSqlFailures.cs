using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using Npgsql;
using Webhooks.Storage;

namespace Webhooks.PostgreSql;

/// <summary>Which failures mean "the database cannot be used now" (the caller is told to retry) rather than a fault.</summary>
internal static class PostgreSqlFailures
{
    /// <summary>
    /// A connection that fails or breaks, a timeout, or the server refusing work for now (shutting down, too many connections,
    /// out of disk or memory, a statement cancelled by its timeout). A caller's own cancellation is not a failure of the store.
    /// </summary>
    public static bool IsUnavailable(Exception ex, CancellationToken cancellationToken) => !cancellationToken.IsCancellationRequested && ex switch
    {
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("53", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || string.Equals(postgres.SqlState, PostgresErrorCodes.QueryCanceled, StringComparison.Ordinal),
        NpgsqlException { InnerException: TimeoutException or IOException or SocketException } => true,
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException or IOException or SocketException => true,
        _ => false,
    };

    public static WebhookStoreUnavailableException Unavailable(Exception ex) =>
        new("PostgreSQL could not be used: " + ex.Message, ex);
}
