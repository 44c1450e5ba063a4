using System;
using System.Collections.Generic;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Paddle Billing: <c>Paddle-Signature: ts=…;h1=…</c>, HMAC-SHA256 in hex of <c>{ts}:{body}</c> keyed with the destination's
/// secret key, within the tolerance (5 seconds unless set, as Paddle's SDK); more than one <c>h1</c> while a secret is rotated.
/// Id and type from the body's <c>event_id</c> and <c>event_type</c>.
/// </summary>
public sealed class PaddleProvider : WebhookProvider
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "Paddle-Signature";

    private static readonly string[] Fields = ["event_id", "event_type"];

    /// <summary>Initializes the provider.</summary>
    public PaddleProvider()
        : base("Paddle")
    {
    }

    /// <inheritdoc/>
    public override TimeSpan DefaultTolerance => TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [SignatureHeader];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier(WebhookVerifierContext context) : HmacVerifier(context)
    {
        public override SignatureVerificationResult Verify(in WebhookRequest request)
        {
            ReadOnlySpan<char> header = request.Header(SignatureHeader).AsSpan().Trim();
            if (header.IsEmpty)
            {
                return SignatureVerificationResult.Missing;
            }

            // ts=…;h1=…[;h1=…]: exactly one timestamp and at least one h1.
            ReadOnlySpan<char> timestamp = default;
            int timestamps = 0;
            int candidates = 0;
            foreach (Range part in header.Split(';'))
            {
                ReadOnlySpan<char> item = header[part].Trim();
                if (item.StartsWith("ts=", StringComparison.Ordinal))
                {
                    timestamp = item[3..];
                    timestamps++;
                }
                else if (item.StartsWith("h1=", StringComparison.Ordinal))
                {
                    candidates++;
                }
            }

            if (timestamps != 1 || candidates == 0 || !SignatureParsing.TryParseUnixSeconds(timestamp, out long signedAt))
            {
                return SignatureVerificationResult.Malformed;
            }

            Span<byte> prefix = stackalloc byte[SignatureParsing.MaxTimestampDigits + 1];
            int length = Concat(prefix, timestamp, ":");
            DateTimeOffset now = TimeProvider.GetUtcNow();
            Span<byte> macs = stackalloc byte[Macs.MaxSize * Keys.Length];
            int count = Macs.Compute(Keys, now, prefix[..length], request.Body, macs);
            if (count == 0)
            {
                return SignatureVerificationResult.NoActiveSecret;
            }

            bool matched = false;
            Span<byte> candidate = stackalloc byte[Macs.MaxSize];
            foreach (Range part in header.Split(';'))
            {
                ReadOnlySpan<char> item = header[part].Trim();
                if (item.StartsWith("h1=", StringComparison.Ordinal) && Macs.TryDecode(item[3..], MacText.Hex, Macs.MaxSize, candidate))
                {
                    matched |= Macs.Matches(candidate, macs, count, Macs.MaxSize);
                }
            }

            return matched ? Tolerance.Check(signedAt, now) : SignatureVerificationResult.Mismatch;
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
