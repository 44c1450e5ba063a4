using System.Net;
using System.Text;
using System.Text.Json;
using Webhooks;
using Webhooks.Processing;

namespace WebhookReceiver;

/// <summary>
/// Reads the sample handlers' payloads. A payload a handler cannot read is a permanent failure: the same bytes fail the same way
/// on every retry, so the event goes dead at once, its last error naming the problem (never the payload), to be looked at and
/// replayed once the handler can read it.
/// </summary>
internal static class SamplePayload
{
    private const string FormField = "payload=";

    /// <summary>Parses an event's body as JSON, or fails the event permanently.</summary>
    /// <param name="json">The JSON bytes.</param>
    /// <param name="what">What the payload is, for the error: "push", "payment_intent.succeeded", …</param>
    public static JsonDocument Parse(ReadOnlyMemory<byte> json, string what)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            // The reader's message quotes the payload's bytes: the stored error says only what failed.
            throw new WebhookPermanentFailureException($"The {what} payload is not JSON this handler can read.", ex);
        }
    }

    /// <summary>
    /// Parses a GitHub event's payload: the body, or for a hook configured with the content type
    /// <c>application/x-www-form-urlencoded</c> (which the endpoint accepts as sent) the JSON in its <c>payload</c> form field.
    /// </summary>
    public static JsonDocument ParseGitHub(WebhookEvent webhookEvent, string what)
    {
        if (!webhookEvent.Headers.TryGetValue("Content-Type", out string? contentType)
            || !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Parse(webhookEvent.Body, what);
        }

        foreach (string field in Encoding.UTF8.GetString(webhookEvent.Body.Span).Split('&'))
        {
            if (field.StartsWith(FormField, StringComparison.Ordinal))
            {
                return Parse(Encoding.UTF8.GetBytes(WebUtility.UrlDecode(field[FormField.Length..])), what);
            }
        }

        throw new WebhookPermanentFailureException($"The form-encoded {what} delivery has no payload field.");
    }
}
