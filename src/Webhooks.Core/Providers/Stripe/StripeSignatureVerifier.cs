using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

using Webhooks.Providers;

namespace Webhooks.Signatures;

/// <summary>
/// Verifies Stripe's <c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=&lt;hex&gt;…]</c> header. The signed payload is
/// the timestamp, a <c>.</c>, then the raw body; the key is the UTF-8 bytes of the whole endpoint secret, <c>whsec_</c> prefix included.
/// </summary>
/// <remarks>
/// Any <c>v1</c> may match (Stripe sends several while a secret is rolled); <c>v0</c> and unknown keys are ignored. The signature is
/// checked before the timestamp, so a forged request is reported as <see cref="SignatureVerificationResult.Mismatch"/> and only an authentic
/// one as <see cref="SignatureVerificationResult.Expired"/> or <see cref="SignatureVerificationResult.FutureTimestamp"/>.
/// Instances are thread-safe; verification allocates nothing.
/// </remarks>
public sealed class StripeSignatureVerifier : WebhookVerifier
{
    /// <summary>The name of the header that carries the signature.</summary>
    public const string SignatureHeader = "Stripe-Signature";

    private const int MaxPrefixBytes = SignatureParsing.MaxTimestampDigits + 1;

    private readonly HmacKey[] _keys;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a verifier for one secret with the default tolerance of 300 seconds each way.</summary>
    /// <param name="secret">The endpoint's signing secret (<c>whsec_…</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty or white space.</exception>
    public StripeSignatureVerifier(string secret)
        : this([new WebhookSecret(secret ?? throw new ArgumentNullException(nameof(secret)))])
    {
    }

    /// <summary>Creates a verifier that accepts a signature made with any of the active <paramref name="secrets"/>.</summary>
    /// <param name="secrets">One to 16 secrets, each optionally limited to a validity window.</param>
    /// <param name="tolerance">How far the signed timestamp may be from now; <see cref="TimestampTolerance.Default"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secrets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secrets"/> is empty, holds <see langword="null"/>, or holds more than 16 secrets.</exception>
    public StripeSignatureVerifier(IEnumerable<WebhookSecret> secrets, TimestampTolerance? tolerance = null, TimeProvider? timeProvider = null)
    {
        _keys = SecretKeys.Utf8(secrets, nameof(secrets));
        Tolerance = tolerance ?? TimestampTolerance.Default;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the tolerance applied to the signed timestamp.</summary>
    /// <value>300 seconds each way unless set.</value>
    public TimestampTolerance Tolerance { get; }

    /// <summary>Verifies <paramref name="signatureHeader"/> against the raw request body.</summary>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="signatureHeader">The value of <c>Stripe-Signature</c>; empty when the header is absent.</param>
    /// <returns><see cref="SignatureVerificationResult.Valid"/> when a <c>v1</c> signature matches an active secret and the timestamp is within tolerance; otherwise why not.</returns>
    public SignatureVerificationResult Verify(ReadOnlySpan<byte> body, ReadOnlySpan<char> signatureHeader) =>
        Verify(body, signatureHeader, out _);

    /// <summary>Verifies <paramref name="signatureHeader"/> against the raw request body and returns the signed timestamp.</summary>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="signatureHeader">The value of <c>Stripe-Signature</c>; empty when the header is absent.</param>
    /// <param name="signedAt">The signed timestamp when the header could be parsed; otherwise <see cref="DateTimeOffset.MinValue"/>.</param>
    /// <returns><see cref="SignatureVerificationResult.Valid"/> when a <c>v1</c> signature matches an active secret and the timestamp is within tolerance; otherwise why not.</returns>
    public SignatureVerificationResult Verify(ReadOnlySpan<byte> body, ReadOnlySpan<char> signatureHeader, out DateTimeOffset signedAt)
    {
        signedAt = DateTimeOffset.MinValue;
        ReadOnlySpan<char> header = signatureHeader.Trim();
        if (header.IsEmpty)
        {
            return SignatureVerificationResult.Missing;
        }

        // First pass: find the one timestamp and check that at least one v1 is present.
        ReadOnlySpan<char> timestampDigits = default;
        bool hasTimestamp = false;
        bool hasV1 = false;
        ReadOnlySpan<char> rest = header;
        while (NextItem(ref rest, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value))
        {
            if (key.SequenceEqual("t"))
            {
                if (hasTimestamp)
                {
                    return SignatureVerificationResult.Malformed;
                }

                hasTimestamp = true;
                timestampDigits = value;
            }
            else if (key.SequenceEqual("v1"))
            {
                hasV1 = true;
            }
        }

        if (!hasTimestamp || !hasV1 || !SignatureParsing.TryParseUnixSeconds(timestampDigits, out long timestamp))
        {
            return SignatureVerificationResult.Malformed;
        }

        signedAt = timestamp <= DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.FromUnixTimeSeconds(timestamp) : DateTimeOffset.MaxValue;

        DateTimeOffset now = _timeProvider.GetUtcNow();
        Span<byte> prefix = stackalloc byte[MaxPrefixBytes];
        int prefixLength = SignatureParsing.WriteAscii(timestampDigits, prefix);
        prefix[prefixLength++] = (byte)'.';

        Span<byte> macs = stackalloc byte[HmacKey.MacSize * _keys.Length];
        int count = Macs.Compute(_keys, now, prefix[..prefixLength], body, macs);
        if (count == 0)
        {
            return SignatureVerificationResult.NoActiveSecret;
        }

        Span<char> expected = stackalloc char[SignatureParsing.HexMacLength * count];
        SignatureParsing.EncodeHex(macs, count, expected);
        CryptographicOperations.ZeroMemory(macs[..(count * HmacKey.MacSize)]);

        // Second pass: compare every v1 candidate; the matching one may be anywhere in the list.
        bool matched = false;
        rest = header;
        while (NextItem(ref rest, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value))
        {
            if (key.SequenceEqual("v1"))
            {
                matched |= SignatureParsing.HexMatchesAny(value, expected, count);
            }
        }

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(expected));
        if (!matched)
        {
            return SignatureVerificationResult.Mismatch;
        }

        return Tolerance.Check(timestamp, now);
    }

    /// <summary>Reads the next <c>key=value</c> item of a comma-separated list, trimming spaces around both; skips items without <c>=</c>.</summary>
    private static bool NextItem(scoped ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        while (!rest.IsEmpty)
        {
            int comma = rest.IndexOf(',');
            ReadOnlySpan<char> item = comma < 0 ? rest : rest[..comma];
            rest = comma < 0 ? default : rest[(comma + 1)..];

            int equals = item.IndexOf('=');
            if (equals > 0)
            {
                key = item[..equals].Trim();
                value = item[(equals + 1)..].Trim();
                return true;
            }
        }

        key = default;
        value = default;
        return false;
    }

    /// <inheritdoc/>
    public override SignatureVerificationResult Verify(in WebhookRequest request) => Verify(request.Body, request.Header(SignatureHeader), out _);

    /// <summary>Reads the event's <c>id</c> and <c>type</c> from the JSON body, which must be one valid object naming each at most once.</summary>
    /// <param name="request">The verified request.</param>
    /// <returns>The event, or why it cannot be taken.</returns>
    public override WebhookReadResult Read(in WebhookRequest request)
    {
        Span<string?> fields = new string?[2];
        return WebhookJsonFields.TryRead(request.Body, IdAndType, fields)
            ? WebhookReadResult.Event(fields[0] ?? "", fields[1] ?? "")
            : WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
    }

    private static readonly string[] IdAndType = ["id", "type"];
}
