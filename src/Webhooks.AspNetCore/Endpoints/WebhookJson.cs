using System;
using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Webhooks.AspNetCore.Endpoints;

/// <summary>Writes the endpoints' small JSON responses directly, without reflection.</summary>
internal static class WebhookJson
{
    public const string ContentType = "application/json; charset=utf-8";

    public static Task WriteErrorAsync(HttpContext context, int status, string error) =>
        WriteAsync(context, status, error, static (writer, error) => writer.WriteString("error", error));

    public static Task WriteStatusAsync(HttpContext context, int status, string id, string outcome) =>
        WriteAsync(context, status, (id, outcome), static (writer, state) =>
        {
            writer.WriteString("id", state.id);
            writer.WriteString("status", state.outcome);
        });

    public static Task WriteAsync<TState>(HttpContext context, int status, TState state, Action<Utf8JsonWriter, TState> writeProperties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer, state);
            writer.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }

    public static void WriteEvent(Utf8JsonWriter writer, Storage.WebhookEventSummary e)
    {
        writer.WriteString("id", e.Id);
        writer.WriteString("source", e.Source);
        writer.WriteString("type", e.EventType);
        writer.WriteString("status", StatusName(e.Status));
        writer.WriteNumber("attempts", e.Attempts);
        writer.WriteString("receivedAt", e.ReceivedAt);
        if (e.LastError is null)
        {
            writer.WriteNull("lastError");
        }
        else
        {
            writer.WriteString("lastError", e.LastError);
        }

        if (e.NextAttemptAt is { } next)
        {
            writer.WriteString("nextAttemptAt", next);
        }

        if (e.CompletedAt is { } completed)
        {
            writer.WriteString("completedAt", completed);
        }

        writer.WriteNumber("replayCount", e.ReplayCount);
        writer.WriteBoolean("unhandled", e.Unhandled);
    }

    public static string StatusName(WebhookEventStatus status) => status switch
    {
        WebhookEventStatus.Queued => "queued",
        WebhookEventStatus.Processing => "processing",
        WebhookEventStatus.Processed => "processed",
        WebhookEventStatus.Failed => "failed",
        WebhookEventStatus.Dead => "dead",
        _ => ((int)status).ToString(CultureInfo.InvariantCulture),
    };

    public static bool TryParseStatus(string? text, out WebhookEventStatus status)
    {
        foreach (WebhookEventStatus candidate in Enum.GetValues<WebhookEventStatus>())
        {
            if (string.Equals(StatusName(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }
}
