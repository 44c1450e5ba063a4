using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Square: <c>x-square-hmacsha256-signature</c>, the base64 HMAC-SHA256 of the notification URL followed by the body, keyed with
/// the subscription's signature key. The URL is the source's <c>PublicUrl</c> when set (it must be the URL registered with Square,
/// byte for byte), else the URL the request arrived at. Id and type from the body's <c>event_id</c> and <c>type</c>.
/// </summary>
public sealed class SquareProvider : WebhookProvider
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "x-square-hmacsha256-signature";

    private static readonly string[] Fields = ["event_id", "type"];

    /// <summary>Initializes the provider.</summary>
    public SquareProvider()
        : base("Square")
    {
    }

    /// <inheritdoc/>
    public override bool SignsUrl => true;

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [SignatureHeader, "x-square-signature", "Square-Initial-Delivery-Timestamp", "Square-Retry-Number"];

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

            if (request.Url is not { Length: > 0 } url)
            {
                return SignatureVerificationResult.Malformed;
            }

            int size = Encoding.UTF8.GetMaxByteCount(url.Length);
            byte[]? rented = size > Macs.StackPrefixBytes ? ArrayPool<byte>.Shared.Rent(size) : null;
            Span<byte> prefix = rented ?? stackalloc byte[Macs.StackPrefixBytes];
            int length = Encoding.UTF8.GetBytes(url, prefix);
            SignatureVerificationResult result = Verify(prefix[..length], request.Body, mac, MacText.Base64, null);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            return result;
        }

        public override WebhookReadResult Read(in WebhookRequest request)
        {
            Span<string?> values = new string?[Fields.Length];
            return WebhookJsonFields.TryRead(request.Body, Fields, values)
                ? WebhookReadResult.Event(values[0] ?? "", values[1] ?? "")
                : WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
        }
    }
}
