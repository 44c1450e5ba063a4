using System;
using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
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
        SetRetryAfter(context.Response, retryAfter);
        return WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, error);
    }

    /// <summary>Sets <c>Retry-After</c> to <paramref name="retryAfter"/> in whole seconds, at least 1.</summary>
    public static void SetRetryAfter(HttpResponse response, TimeSpan retryAfter) =>
        response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes a provider's handshake answer as it asks: its status, media type and UTF-8 body.</summary>
    public static Task WriteHandshakeAsync(HttpContext context, Webhooks.Providers.WebhookHandshake handshake)
    {
        context.Response.StatusCode = handshake.StatusCode;
        context.Response.ContentType = handshake.ContentType;
        return context.Response.WriteAsync(handshake.Body, Encoding.UTF8, context.RequestAborted);
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
        // which also escapes <, >, &, ' and + by default; those are left to the writer above). Written straight into the
        // response's pipe.
        int length = IdPrefix.Length + id.Length + StatusInfix.Length + outcome.Length + Suffix.Length;
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = length;
        PipeWriter writer = context.Response.BodyWriter;
        Span<byte> buffer = writer.GetSpan(length);
        IdPrefix.CopyTo(buffer);
        int at = IdPrefix.Length;
        at += Encoding.ASCII.GetBytes(id, buffer[at..]);
        StatusInfix.CopyTo(buffer[at..]);
        at += StatusInfix.Length;
        at += Encoding.ASCII.GetBytes(outcome, buffer[at..]);
        Suffix.CopyTo(buffer[at..]);
        writer.Advance(length);
        ValueTask<FlushResult> flushing = writer.FlushAsync();
        return flushing.IsCompletedSuccessfully ? Task.CompletedTask : flushing.AsTask();
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
