using System.Text.Json;
using Webhooks;
using Webhooks.Processing;

namespace WebhookReceiver;

/// <summary>
/// Handles Stripe <c>payment_intent.succeeded</c>: logs the payment intent and its amount. An event without a payment intent in
/// <c>data.object</c> is dead at once: retrying cannot give it one.
/// </summary>
internal sealed partial class PaymentSucceededHandler(ILogger<PaymentSucceededHandler> logger, SampleWork work) : IWebhookHandler
{
    public async Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        await work.DoAsync(cancellationToken);
        using JsonDocument payload = SamplePayload.Parse(webhookEvent.Body, "payment_intent.succeeded");
        if (!payload.RootElement.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("object", out JsonElement intent) || intent.ValueKind != JsonValueKind.Object)
        {
            throw new WebhookPermanentFailureException("The payment_intent.succeeded event has no payment intent in data.object.");
        }

        string intentId = intent.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "";
        long amount = intent.TryGetProperty("amount", out JsonElement value) && value.TryGetInt64(out long cents) ? cents : 0;
        string currency = intent.TryGetProperty("currency", out JsonElement code) && code.ValueKind == JsonValueKind.String ? code.GetString()! : "";
        Log.Payment(logger, webhookEvent.Id, intentId, amount, currency);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Processed payment {EventId}: intent {IntentId}, {Amount} {Currency} (minor units).")]
        public static partial void Payment(ILogger logger, string eventId, string intentId, long amount, string currency);
    }
}
