using System.Text.Json;
using Webhooks;
using Webhooks.Processing;

namespace WebhookReceiver;

/// <summary>Handles every event of the Standard Webhooks source <c>acme</c> (configured under <c>Webhooks:Sources:acme</c>): logs its type and timestamp.</summary>
internal sealed partial class AcmeEventHandler(ILogger<AcmeEventHandler> logger, SampleWork work) : IWebhookHandler
{
    public async Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        await work.DoAsync(cancellationToken);
        using JsonDocument payload = SamplePayload.Parse(webhookEvent.Body, "acme event");
        string timestamp = payload.RootElement.TryGetProperty("timestamp", out JsonElement at) && at.ValueKind == JsonValueKind.String ? at.GetString() ?? "" : "";
        Log.Acme(logger, webhookEvent.Id, webhookEvent.EventType, timestamp);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Processed acme event {EventId}: {EventType} at {Timestamp}.")]
        public static partial void Acme(ILogger logger, string eventId, string eventType, string timestamp);
    }
}
