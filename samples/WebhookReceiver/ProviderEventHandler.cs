using Webhooks;
using Webhooks.Processing;

namespace WebhookReceiver;

/// <summary>
/// Handles every event of the other providers' sources (Shopify, Slack, Twilio, Paddle, Linear, Square, Zoom, Twitch, GitLab,
/// Discord, SendGrid): logs its source, type and size. Their handshakes never get here: the endpoint answers them.
/// </summary>
internal sealed partial class ProviderEventHandler(ILogger<ProviderEventHandler> logger, SampleWork work) : IWebhookHandler
{
    public async Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        await work.DoAsync(cancellationToken);
        Log.Processed(logger, webhookEvent.Id, webhookEvent.Source, webhookEvent.EventType, webhookEvent.Body.Length);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Processed {Source} event {EventId}: {EventType}, {Bytes} bytes.")]
        public static partial void Processed(ILogger logger, string eventId, string source, string eventType, int bytes);
    }
}
