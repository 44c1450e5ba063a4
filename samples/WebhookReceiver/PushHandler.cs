using System.Text.Json;
using Webhooks;
using Webhooks.Processing;

namespace WebhookReceiver;

/// <summary>
/// Handles GitHub <c>push</c>: logs the branch and the number of commits. Reads JSON hooks and form-encoded ones alike; a
/// payload it cannot read is dead at once (<see cref="SamplePayload"/>).
/// </summary>
internal sealed partial class PushHandler(ILogger<PushHandler> logger, SampleWork work) : IWebhookHandler
{
    public async Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        await work.DoAsync(cancellationToken);
        using JsonDocument payload = SamplePayload.ParseGitHub(webhookEvent, "push");
        JsonElement root = payload.RootElement;
        string branch = root.TryGetProperty("ref", out JsonElement reference) && reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
        int commits = root.TryGetProperty("commits", out JsonElement list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0;
        Log.Push(logger, webhookEvent.Id, branch, commits);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Processed push {EventId}: {Branch}, {Commits} commit(s).")]
        public static partial void Push(ILogger logger, string eventId, string branch, int commits);
    }
}
