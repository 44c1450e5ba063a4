using System.Text.Json;

namespace Webhooks.Peers;

/// <summary>The background work of one push, as the sample receiver's handler does it: parse, read the branch and commits, log.</summary>
public sealed partial class PushWork(ILogger<PushWork> logger)
{
    public void Handle(string deliveryId, string body)
    {
        using JsonDocument payload = JsonDocument.Parse(body);
        JsonElement root = payload.RootElement;
        string branch = root.TryGetProperty("ref", out JsonElement reference) && reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
        int commits = root.TryGetProperty("commits", out JsonElement list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0;
        Processed(logger, deliveryId, branch, commits);
        Interlocked.Increment(ref Progress.Processed);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Processed push {DeliveryId}: {Branch}, {Commits} commit(s).")]
    private static partial void Processed(ILogger logger, string deliveryId, string branch, int commits);
}
