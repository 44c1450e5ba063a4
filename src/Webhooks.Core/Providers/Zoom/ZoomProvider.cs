using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Zoom: <c>x-zm-signature: v0=&lt;hex&gt;</c>, HMAC-SHA256 of <c>v0:{x-zm-request-timestamp}:{body}</c> keyed with the app's
/// secret token, within the tolerance. Answers <c>endpoint.url_validation</c> with the <c>plainToken</c> and its
/// <c>encryptedToken</c>. Type from the body's <c>event</c>; Zoom sends no delivery id, so the id is a digest of the body (a
/// retry carries the same body).
/// </summary>
public sealed class ZoomProvider : WebhookProvider
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "x-zm-signature";

    /// <summary>The signed timestamp header (Unix seconds).</summary>
    public const string TimestampHeader = "x-zm-request-timestamp";

    private static readonly string[] Fields = ["event", "payload.plainToken"];

    /// <summary>Initializes the provider.</summary>
    public ZoomProvider()
        : base("Zoom")
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [SignatureHeader, TimestampHeader, "x-zm-trackingid"];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier(WebhookVerifierContext context) : HmacVerifier(context)
    {
        public override SignatureVerificationResult Verify(in WebhookRequest request) => VerifyV0(request, SignatureHeader, TimestampHeader);

        public override WebhookReadResult Read(in WebhookRequest request)
        {
            Span<string?> values = new string?[Fields.Length];
            if (!WebhookJsonFields.TryRead(request.Body, Fields, values))
            {
                return WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
            }

            if (string.Equals(values[0], "endpoint.url_validation", StringComparison.Ordinal) && values[1] is { } plainToken && ActiveKey() is { } key)
            {
                // The answer proves the endpoint holds the secret token: the token's HMAC in hex.
                Span<byte> mac = stackalloc byte[HmacKey.MacSize];
                key.Compute([], Encoding.UTF8.GetBytes(plainToken), mac);
                string encrypted = Convert.ToHexStringLower(mac);
                CryptographicOperations.ZeroMemory(mac);
                return WebhookReadResult.Answer(WebhookHandshake.Json(
                    "{\"plainToken\":" + JsonSerializer.Serialize(plainToken, WebhookProviderJson.Default.String) + ",\"encryptedToken\":\"" + encrypted + "\"}"));
            }

            return WebhookReadResult.Event(BodyDigest.Id(request.Body), values[0] ?? "");
        }
    }
}
