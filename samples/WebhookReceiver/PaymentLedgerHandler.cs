using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Webhooks;
using Webhooks.PostgreSql;
using Webhooks.Processing;

namespace WebhookReceiver;

/// <summary>
/// On PostgreSQL (<c>--postgres</c>): records each <c>payment_intent.succeeded</c> in the <c>sample_payments</c> table exactly
/// once. The row is written in the transaction that also records this handler's success, so a crash before the commit leaves
/// neither (the event is tried again) and a crash after it leaves both (it is not). <c>Sample:CommitDelayMs</c> waits between
/// the write and the commit, to watch that window.
/// </summary>
internal sealed partial class PaymentLedgerHandler(WebhookPostgreSqlTransaction transaction, IOptionsMonitor<SampleOptions> options, ILogger<PaymentLedgerHandler> logger) : IWebhookHandler
{
    /// <summary>The table, created at start-up in the database's default schema.</summary>
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS sample_payments (event_id text PRIMARY KEY, intent text NOT NULL, amount bigint NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())";

    public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) =>
        transaction.RunAsync(async (connection, tx, ct) =>
        {
            using JsonDocument payload = SamplePayload.Parse(webhookEvent.Body, "payment_intent.succeeded");
            JsonElement intent = payload.RootElement.TryGetProperty("data", out JsonElement data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("object", out JsonElement found) && found.ValueKind == JsonValueKind.Object
                ? found
                : throw new WebhookPermanentFailureException("The payment_intent.succeeded event has no payment intent in data.object.");
            using var insert = new NpgsqlCommand("INSERT INTO sample_payments (event_id, intent, amount) VALUES ($1, $2, $3)", connection, tx);
            insert.Parameters.Add(new NpgsqlParameter { Value = webhookEvent.Id });
            insert.Parameters.Add(new NpgsqlParameter { Value = intent.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "" });
            insert.Parameters.Add(new NpgsqlParameter { Value = intent.TryGetProperty("amount", out JsonElement amount) && amount.TryGetInt64(out long cents) ? cents : 0L });
            await insert.ExecuteNonQueryAsync(ct);
            Log.Written(logger, webhookEvent.Id);
            if (options.CurrentValue.CommitDelayMs > 0)
            {
                await Task.Delay(options.CurrentValue.CommitDelayMs, ct);
            }
        }, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Payment {EventId} written, not yet committed.")]
        public static partial void Written(ILogger logger, string eventId);
    }
}
