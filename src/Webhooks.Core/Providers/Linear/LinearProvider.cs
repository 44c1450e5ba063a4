using System;
using System.Collections.Generic;
using System.Text.Json;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Linear: <c>Linear-Signature</c>, HMAC-SHA256 in hex of the body keyed with the webhook's signing secret; the signed time is
/// the body's <c>webhookTimestamp</c> (Unix milliseconds), within the tolerance (60 seconds unless set, as Linear's SDK). Id in
/// <c>Linear-Delivery</c>, type (<c>Issue</c>, <c>Comment</c>, …) in <c>Linear-Event</c>.
/// </summary>
public sealed class LinearProvider : WebhookProvider
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "Linear-Signature";

    /// <summary>The delivery id header.</summary>
    public const string IdHeader = "Linear-Delivery";

    /// <summary>The event type header.</summary>
    public const string EventHeader = "Linear-Event";

    /// <summary>Initializes the provider.</summary>
    public LinearProvider()
        : base("Linear")
    {
    }

    /// <inheritdoc/>
    public override TimeSpan DefaultTolerance => TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [SignatureHeader, IdHeader];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier(WebhookVerifierContext context) : HmacVerifier(context)
    {
        public override SignatureVerificationResult Verify(in WebhookRequest request)
        {
            ReadOnlySpan<char> mac = request.Header(SignatureHeader).AsSpan().Trim();
            if (mac.IsEmpty)
            {
                return SignatureVerificationResult.Missing;
            }

            SignatureVerificationResult result = Verify([], request.Body, mac, MacText.Hex, null);
            if (result != SignatureVerificationResult.Valid)
            {
                return result;
            }

            // Only now, the body being authentic, is its signed time read.
            return TryReadTimestamp(request.Body, out long milliseconds)
                ? Tolerance.Check(milliseconds / 1000, TimeProvider.GetUtcNow())
                : SignatureVerificationResult.Malformed;
        }

        public override WebhookReadResult Read(in WebhookRequest request)
        {
            if (!request.TryGetSingle(IdHeader, out string id) || !request.TryGetSingle(EventHeader, out string type))
            {
                return WebhookReadResult.Invalid(WebhookReadError.InvalidDeliveryId);
            }

            return WebhookJsonFields.TryRead(request.Body, [], [])
                ? WebhookReadResult.Event(id, type)
                : WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
        }

        /// <summary>The top-level <c>webhookTimestamp</c>, a non-negative whole number; read without allocating.</summary>
        private static bool TryReadTimestamp(ReadOnlySpan<byte> json, out long milliseconds)
        {
            milliseconds = 0;
            try
            {
                var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = WebhookJsonFields.MaxDepth });
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool match = reader.ValueTextEquals("webhookTimestamp"u8);
                    if (!reader.Read())
                    {
                        return false;
                    }

                    if (match)
                    {
                        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out milliseconds) && milliseconds >= 0;
                    }

                    reader.Skip();
                }

                return false;
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }
}
