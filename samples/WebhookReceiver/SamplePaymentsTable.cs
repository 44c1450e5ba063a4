using Npgsql;

namespace WebhookReceiver;

/// <summary>Creates the sample's own <c>sample_payments</c> table at start-up, in the database the webhook stores use.</summary>
internal sealed class SamplePaymentsTable(IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlDataSource database = NpgsqlDataSource.Create(configuration["Webhooks:PostgreSql:ConnectionString"]!);
        await using NpgsqlCommand create = database.CreateCommand(PaymentLedgerHandler.CreateTable);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
