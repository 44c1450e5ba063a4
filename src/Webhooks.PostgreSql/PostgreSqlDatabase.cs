using System;
using System.Threading.Tasks;
using Npgsql;

namespace Webhooks.PostgreSql;

/// <summary>The database the stores share: the registered <see cref="NpgsqlDataSource"/>, or one made from the connection string and owned here.</summary>
internal sealed class PostgreSqlDatabase : IAsyncDisposable
{
    private readonly bool _owned;

    public PostgreSqlDatabase(WebhookPostgreSqlOptions options, NpgsqlDataSource? registered)
    {
        Schema = options.Schema;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            DataSource = NpgsqlDataSource.Create(options.ConnectionString);
            _owned = true;
        }
        else
        {
            DataSource = registered ?? throw new InvalidOperationException(
                "Webhooks:PostgreSql:ConnectionString is not set and no NpgsqlDataSource is registered: the PostgreSQL stores need one of them.");
        }
    }

    public NpgsqlDataSource DataSource { get; }

    public string Schema { get; }

    public ValueTask DisposeAsync() => _owned ? DataSource.DisposeAsync() : ValueTask.CompletedTask;
}
