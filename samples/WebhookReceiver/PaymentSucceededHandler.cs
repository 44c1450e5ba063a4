using System.Text.Json;
using Webhooks;
using Webhooks.Processing;

namespace WebhookReceiver;

/// <summary>Handles Stripe <c>payment_intent.succeeded</c>: logs the payment intent and its amount.</summary>
internal sealed partial class PaymentSucceededHandler(ILogger<PaymentSucceededHandler> logger, SampleWork work) : IWebhookHandler
{
    public async Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        await work.DoAsync(cancellationToken);
        using JsonDocument payload = JsonDocument.Parse(webhookEvent.Body);
        JsonElement intent = payload.RootElement.GetProperty("data").GetProperty("object");
        string intentId = intent.TryGetProperty("id", out JsonElement id) ? id.GetString() ?? "" : "";
        long amount = intent.TryGetProperty("amount", out JsonElement value) && value.TryGetInt64(out long cents) ? cents : 0;
        string currency = intent.TryGetProperty("currency", out JsonElement code) ? code.GetString() ?? "" : "";
        Log.Payment(logger, webhookEvent.Id, intentId, amount, currency);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Processed payment {EventId}: intent {IntentId}, {Amount} {Currency} (minor units).")]
        public static partial void Payment(ILogger logger, string eventId, string intentId, long amount, string currency);
    }
}
