using System;
using System.Security.Cryptography;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>What the HMAC providers' verifiers share: the source's prepared keys, its clock and its timestamp window.</summary>
internal abstract class HmacVerifier : WebhookVerifier
{
    protected HmacVerifier(WebhookVerifierContext context)
        : this(context, HashAlgorithmName.SHA256)
    {
    }

    protected HmacVerifier(WebhookVerifierContext context, HashAlgorithmName algorithm)
    {
        Keys = SecretKeys.Utf8(context.Secrets, nameof(context.Secrets), algorithm);
        TimeProvider = context.TimeProvider;
        Tolerance = context.Tolerance;
    }

    /// <summary>The keys: the UTF-8 bytes of each secret.</summary>
    protected HmacKey[] Keys { get; }

    protected TimeProvider TimeProvider { get; }

    protected TimestampTolerance Tolerance { get; }

    /// <summary>The first key active now, for the handshakes that answer with a MAC (Zoom's).</summary>
    protected HmacKey? ActiveKey()
    {
        DateTimeOffset now = TimeProvider.GetUtcNow();
        foreach (HmacKey key in Keys)
        {
            if (key.IsActiveAt(now))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>
    /// Verifies one MAC over a prefix written as ASCII pieces (a timestamp, separators) and the body, then the signed
    /// timestamp when there is one (<paramref name="signedAt"/> in Unix seconds, or <see langword="null"/>).
    /// </summary>
    protected SignatureVerificationResult Verify(scoped ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body, ReadOnlySpan<char> mac, MacText encoding, long? signedAt)
    {
        DateTimeOffset now = TimeProvider.GetUtcNow();
        SignatureVerificationResult result = Macs.Verify(Keys, now, prefix, body, mac, encoding);
        return result == SignatureVerificationResult.Valid && signedAt is { } seconds ? Tolerance.Check(seconds, now) : result;
    }

    /// <summary>
    /// The scheme Slack and Zoom share: <c>v0=&lt;hex&gt;</c> in <paramref name="signatureHeader"/>, HMAC-SHA256 of
    /// <c>v0:{timestamp}:{body}</c> with the Unix seconds in <paramref name="timestampHeader"/>, within the tolerance.
    /// </summary>
    protected SignatureVerificationResult VerifyV0(in WebhookRequest request, string signatureHeader, string timestampHeader)
    {
        ReadOnlySpan<char> header = request.Header(signatureHeader).AsSpan().Trim();
        ReadOnlySpan<char> timestamp = request.Header(timestampHeader).AsSpan().Trim();
        if (header.IsEmpty || timestamp.IsEmpty)
        {
            return SignatureVerificationResult.Missing;
        }

        if (!header.StartsWith("v0=", StringComparison.Ordinal) || !SignatureParsing.TryParseUnixSeconds(timestamp, out long signedAt))
        {
            return SignatureVerificationResult.Malformed;
        }

        Span<byte> prefix = stackalloc byte[SignatureParsing.MaxTimestampDigits + 4];
        int length = Concat(prefix, "v0:", timestamp, ":");
        return Verify(prefix[..length], request.Body, header[3..], MacText.Hex, signedAt);
    }

    /// <summary>Writes ASCII pieces one after another into <paramref name="destination"/>; -1 when they do not fit or are not ASCII.</summary>
    protected static int Concat(Span<byte> destination, ReadOnlySpan<char> first, ReadOnlySpan<char> second = default, ReadOnlySpan<char> third = default)
    {
        int a = Macs.WriteAscii(first, destination);
        int b = a < 0 ? -1 : Macs.WriteAscii(second, destination[a..]);
        int c = b < 0 ? -1 : Macs.WriteAscii(third, destination[(a + b)..]);
        return c < 0 ? -1 : a + b + c;
    }
}
