using System;
using System.Collections.Generic;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Slack (Events API, slash commands, interactivity): <c>X-Slack-Signature: v0=&lt;hex&gt;</c>, HMAC-SHA256 of
/// <c>v0:{X-Slack-Request-Timestamp}:{body}</c> keyed with the signing secret, within the tolerance (300 seconds, as Slack's SDKs).
/// Answers the <c>url_verification</c> challenge. An event's id is its <c>event_id</c>, so that the redeliveries Slack marks with
/// <c>X-Slack-Retry-Num</c> are duplicates; its type is the inner <c>event.type</c>. Form-encoded bodies (slash commands,
/// interactivity) are taken as sent, their id a digest of the body.
/// </summary>
public sealed class SlackProvider : WebhookProvider
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-Slack-Signature";

    /// <summary>The signed timestamp header (Unix seconds).</summary>
    public const string TimestampHeader = "X-Slack-Request-Timestamp";

    private static readonly string[] Fields = ["type", "event_id", "challenge", "event.type"];

    /// <summary>Initializes the provider.</summary>
    public SlackProvider()
        : base("Slack")
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [SignatureHeader, TimestampHeader, "X-Slack-Retry-Num"];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier(WebhookVerifierContext context) : HmacVerifier(context)
    {
        public override SignatureVerificationResult Verify(in WebhookRequest request) => VerifyV0(request, SignatureHeader, TimestampHeader);

        public override WebhookReadResult Read(in WebhookRequest request)
        {
            if (request.IsForm)
            {
                // A slash command or an interaction: no id of its own; Slack does not retry these.
                string kind = FormHas(request.Body, "command"u8) ? "slash_command" : FormHas(request.Body, "payload"u8) ? "interaction" : "";
                return WebhookReadResult.Event(BodyDigest.Id(request.Body), kind);
            }

            Span<string?> values = new string?[Fields.Length];
            if (!WebhookJsonFields.TryRead(request.Body, Fields, values))
            {
                return WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
            }

            if (string.Equals(values[0], "url_verification", StringComparison.Ordinal) && values[2] is { } challenge)
            {
                return WebhookReadResult.Answer(WebhookHandshake.Text(challenge));
            }

            // An event callback is identified by its event_id; anything else Slack posts (app_rate_limited) by its body.
            return WebhookReadResult.Event(values[1] ?? BodyDigest.Id(request.Body), values[3] ?? values[0] ?? "");
        }

        /// <summary>Tells whether a form body has a field of that name.</summary>
        private static bool FormHas(ReadOnlySpan<byte> form, ReadOnlySpan<byte> name)
        {
            while (!form.IsEmpty)
            {
                int amp = form.IndexOf((byte)'&');
                ReadOnlySpan<byte> pair = amp < 0 ? form : form[..amp];
                form = amp < 0 ? default : form[(amp + 1)..];
                if (pair.StartsWith(name) && (pair.Length == name.Length || pair[name.Length] == (byte)'='))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
