using System;
using System.Buffers;
using System.Globalization;
using System.Text;
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

    /// <summary>Writes a 503 with <c>Retry-After</c> in whole seconds (at least 1) and <c>{"error":…}</c>.</summary>
    public static Task WriteUnavailableAsync(HttpContext context, TimeSpan retryAfter, string error)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, error);
    }

    /// <summary>Writes <c>{"id":…,"status":…}</c>: the answer to every accepted or duplicate delivery, so it is written without a JSON writer.</summary>
    public static Task WriteStatusAsync(HttpContext context, int status, string id, string outcome)
    {
        if (!IsPlain(id) || !IsPlain(outcome))
        {
            return WriteAsync(context, status, (id, outcome), static (writer, state) =>
            {
                writer.WriteString("id", state.id);
                writer.WriteString("status", state.outcome);
            });
        }

        // Printable ASCII without quote or backslash: the JSON string is the text itself (as Utf8JsonWriter would write it,
        // which also escapes <, >, &, ' and + by default; those are left to the writer above).
        int length = IdPrefix.Length + id.Length + StatusInfix.Length + outcome.Length + Suffix.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        int at = 0;
        IdPrefix.CopyTo(buffer.AsSpan(at));
        at += IdPrefix.Length;
        at += Encoding.ASCII.GetBytes(id, buffer.AsSpan(at));
        StatusInfix.CopyTo(buffer.AsSpan(at));
        at += StatusInfix.Length;
        at += Encoding.ASCII.GetBytes(outcome, buffer.AsSpan(at));
        Suffix.CopyTo(buffer.AsSpan(at));
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = length;
        return WriteAndReturnAsync(context.Response, buffer, length);
    }

    private static ReadOnlySpan<byte> IdPrefix => "{\"id\":\""u8;

    private static ReadOnlySpan<byte> StatusInfix => "\",\"status\":\""u8;

    private static ReadOnlySpan<byte> Suffix => "\"}"u8;

    private static bool IsPlain(string text)
    {
        foreach (char c in text)
        {
            if (c is < (char)0x20 or > (char)0x7E or '"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`')
            {
                return false;
            }
        }

        return true;
    }

    private static async Task WriteAndReturnAsync(HttpResponse response, byte[] buffer, int length)
    {
        try
        {
            await response.Body.WriteAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

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
