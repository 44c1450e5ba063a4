using System;
using System.Collections.Generic;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Discord (webhook events and interactions): <c>X-Signature-Ed25519</c>, an Ed25519 signature in hex of
/// <c>X-Signature-Timestamp</c> followed by the body, made with the application's key; the source's secret is the
/// application's public key in hex. Answers a webhook event PING (204) and an interaction PING (<c>{"type":1}</c>). A webhook
/// event's type is its <c>event.type</c> and its id a digest of the body; an interaction's id is its <c>id</c>, and it is
/// acknowledged as deferred (Discord wants an answer within 3 seconds; the handler follows up through Discord's API).
/// </summary>
public sealed class DiscordProvider : WebhookProvider
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-Signature-Ed25519";

    /// <summary>The signed timestamp header (Unix seconds).</summary>
    public const string TimestampHeader = "X-Signature-Timestamp";

    private static readonly string[] Fields = ["type", "id", "token", "event.type"];

    private static readonly WebhookHandshake InteractionPong = WebhookHandshake.Json("{\"type\":1}");

    private static readonly WebhookHandshake EventPong = new(204, "text/plain", "");

    /// <summary>Initializes the provider.</summary>
    public DiscordProvider()
        : base("Discord")
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [SignatureHeader, TimestampHeader];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier(WebhookVerifierContext context) : WebhookVerifier
    {
        private readonly Ed25519Keys _keys = Ed25519Keys.Import(context.Secrets, static hex => DecodeHex(hex), "the application's public key in hex (64 digits)");
        private readonly TimeProvider _timeProvider = context.TimeProvider;
        private readonly TimestampTolerance _tolerance = context.Tolerance;

        public override SignatureVerificationResult Verify(in WebhookRequest request)
        {
            ReadOnlySpan<char> signature = request.Header(SignatureHeader).AsSpan().Trim();
            ReadOnlySpan<char> timestamp = request.Header(TimestampHeader).AsSpan().Trim();
            if (signature.IsEmpty || timestamp.IsEmpty)
            {
                return SignatureVerificationResult.Missing;
            }

            Span<byte> bytes = stackalloc byte[64];
            if (signature.Length != 128 || !Macs.TryDecode(signature[..64], MacText.Hex, 32, bytes) || !Macs.TryDecode(signature[64..], MacText.Hex, 32, bytes[32..]) ||
                !SignatureParsing.TryParseUnixSeconds(timestamp, out long signedAt))
            {
                return SignatureVerificationResult.Malformed;
            }

            Span<byte> prefix = stackalloc byte[SignatureParsing.MaxTimestampDigits];
            int length = SignatureParsing.WriteAscii(timestamp, prefix);
            DateTimeOffset now = _timeProvider.GetUtcNow();
            SignatureVerificationResult result = _keys.Verify(now, prefix[..length], request.Body, bytes);
            return result == SignatureVerificationResult.Valid ? _tolerance.Check(signedAt, now) : result;
        }

        public override WebhookReadResult Read(in WebhookRequest request)
        {
            Span<string?> values = new string?[Fields.Length];
            if (!WebhookJsonFields.TryRead(request.Body, Fields, values))
            {
                return WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
            }

            string? type = values[0];
            if (values[2] is not null)
            {
                // An interaction (it carries a token to answer with).
                return type switch
                {
                    "1" => WebhookReadResult.Answer(InteractionPong),
                    "3" => WebhookReadResult.Event(values[1] ?? "", "interaction.message_component", DeferredUpdate),
                    "4" => WebhookReadResult.Event(values[1] ?? "", "interaction.autocomplete", NoChoices),
                    "5" => WebhookReadResult.Event(values[1] ?? "", "interaction.modal_submit", DeferredMessage),
                    _ => WebhookReadResult.Event(values[1] ?? "", "interaction.application_command", DeferredMessage),
                };
            }

            // A webhook event: type 0 is Discord's PING, 1 an event.
            return string.Equals(type, "0", StringComparison.Ordinal)
                ? WebhookReadResult.Answer(EventPong)
                : WebhookReadResult.Event(BodyDigest.Id(request.Body), values[3] ?? "");
        }

        private static byte[]? DecodeHex(string hex)
        {
            try
            {
                return Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }

    /// <summary>"Thinking…": the handler follows up with the message (interaction response type 5).</summary>
    private static readonly WebhookHandshake DeferredMessage = WebhookHandshake.Json("{\"type\":5}");

    /// <summary>A component's message is updated later (type 6).</summary>
    private static readonly WebhookHandshake DeferredUpdate = WebhookHandshake.Json("{\"type\":6}");

    /// <summary>Autocomplete cannot be deferred: no choices now (type 8); the event is still stored for the handler.</summary>
    private static readonly WebhookHandshake NoChoices = WebhookHandshake.Json("{\"type\":8,\"data\":{\"choices\":[]}}");
}
