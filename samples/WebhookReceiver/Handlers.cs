using System.Text.Json;
using Webhooks;
using Webhooks.Processing;

namespace WebhookReceiver;

/// <summary>Handles GitHub <c>push</c>: logs the branch and the number of commits.</summary>
internal sealed partial class PushHandler(ILogger<PushHandler> logger, IConfiguration configuration) : IWebhookHandler
{
    public async Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        await SampleWork.DelayAsync(configuration, cancellationToken);
        using JsonDocument payload = JsonDocument.Parse(webhookEvent.Body);
        JsonElement root = payload.RootElement;
        string branch = root.TryGetProperty("ref", out JsonElement reference) ? reference.GetString() ?? "" : "";
        int commits = root.TryGetProperty("commits", out JsonElement list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0;
        Log.Push(logger, webhookEvent.Id, branch, commits);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Processed push {EventId}: {Branch}, {Commits} commit(s).")]
        public static partial void Push(ILogger logger, string eventId, string branch, int commits);
    }
}

/// <summary>Handles Stripe <c>payment_intent.succeeded</c>: logs the payment intent and its amount.</summary>
internal sealed partial class PaymentSucceededHandler(ILogger<PaymentSucceededHandler> logger, IConfiguration configuration) : IWebhookHandler
{
    public async Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        await SampleWork.DelayAsync(configuration, cancellationToken);
        using JsonDocument payload = JsonDocument.Parse(webhookEvent.Body);
        JsonElement intent = payload.RootElement.GetProperty("data").GetProperty("object");
        string intentId = intent.TryGetProperty("id", out JsonElement id) ? id.GetString() ?? "" : "";
        long amount = intent.TryGetProperty("amount", out JsonElement value) && value.TryGetInt64(out long cents) ? cents : 0;
        string currency = intent.TryGetProperty("currency", out JsonElement code) ? code.GetString() ?? "" : "";
        Log.Payment(logger, webhookEvent.Id, intentId, amount, currency);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Processed payment {EventId}: intent {IntentId}, {Amount} {Currency} (minor units).")]
        public static partial void Payment(ILogger logger, string eventId, string intentId, long amount, string currency);
    }
}

/// <summary><c>Sample:WorkDelayMs</c> (default 0) makes the handlers simulate slow work, to watch queueing, retries and recovery.</summary>
internal static class SampleWork
{
    public static Task DelayAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        int delay = configuration.GetValue("Sample:WorkDelayMs", 0);
        return delay > 0 ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;
    }
}
