using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

using Webhooks.Providers;

namespace Webhooks.Signatures;

/// <summary>
/// Verifies <see href="https://www.standardwebhooks.com/">Standard Webhooks</see> signatures: headers <c>webhook-id</c>,
/// <c>webhook-timestamp</c> and <c>webhook-signature: v1,&lt;base64&gt; [v1,&lt;base64&gt; …]</c>, signed payload
/// <c>{id}.{timestamp}.{body}</c>, key = base64 decoding of the secret after its <c>whsec_</c> prefix.
/// </summary>
/// <remarks>
/// Any <c>v1</c> signature may match; other versions (such as the asymmetric <c>v1a</c>) are ignored. The signature is checked
/// before the timestamp. Instances are thread-safe; verification allocates nothing.
/// </remarks>
public sealed class StandardWebhooksSignatureVerifier : WebhookVerifier
{
    /// <summary>The name of the header that carries the message id.</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>The name of the header that carries the signed timestamp (Unix seconds).</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary>The name of the header that carries the signatures.</summary>
    public const string SignatureHeader = "webhook-signature";

    private const int StackPrefixBytes = 256;

    /// <summary>Base64 of a 32-byte MAC: 43 significant characters and one '='.</summary>
    private const int Base64MacLength = 44;

    private const string PublicKeyPrefix = "whpk_";

    private readonly HmacKey[] _keys;

    /// <summary>The <c>whpk_</c> public keys, for asymmetric <c>v1a</c> (Ed25519) signatures; <see langword="null"/> when there are none.</summary>
    private readonly Ed25519Keys? _publicKeys;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a verifier for one secret with the default tolerance of 300 seconds each way.</summary>
    /// <param name="secret">The secret, <c>whsec_</c> followed by base64 (the prefix may be omitted).</param>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty or not valid base64.</exception>
    public StandardWebhooksSignatureVerifier(string secret)
        : this([new WebhookSecret(secret ?? throw new ArgumentNullException(nameof(secret)))])
    {
    }

    /// <summary>Creates a verifier that accepts a signature made with any of the active <paramref name="secrets"/>.</summary>
    /// <param name="secrets">One to 16 secrets, each <c>whsec_</c> followed by base64, optionally limited to a validity window.</param>
    /// <param name="tolerance">How far the signed timestamp may be from now; <see cref="TimestampTolerance.Default"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secrets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secrets"/> is empty, holds <see langword="null"/>, holds more than 16 secrets, or holds one that is not valid base64.</exception>
    public StandardWebhooksSignatureVerifier(IEnumerable<WebhookSecret> secrets, TimestampTolerance? tolerance = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var symmetric = new List<WebhookSecret>();
        var asymmetric = new List<WebhookSecret>();
        foreach (WebhookSecret secret in secrets)
        {
            (secret?.Value.TrimStart().StartsWith(PublicKeyPrefix, StringComparison.Ordinal) == true ? asymmetric : symmetric).Add(secret!);
        }

        // Symmetric secrets (whsec_) sign v1; public keys (whpk_) check v1a. Either kind alone is enough.
        _keys = symmetric.Count > 0 || asymmetric.Count == 0 ? SecretKeys.StandardWebhooks(symmetric, nameof(secrets)) : [];
        if (asymmetric.Count > 0)
        {
            _publicKeys = Ed25519Keys.Import(asymmetric, static key => DecodePublicKey(key), "'whpk_' followed by the base64 of a 32-byte Ed25519 public key");
        }

        Tolerance = tolerance ?? TimestampTolerance.Default;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the tolerance applied to the signed timestamp.</summary>
    /// <value>300 seconds each way unless set.</value>
    public TimestampTolerance Tolerance { get; }

    /// <summary>Verifies a delivery.</summary>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="id">The value of <c>webhook-id</c>; empty when absent.</param>
    /// <param name="timestamp">The value of <c>webhook-timestamp</c>; empty when absent.</param>
    /// <param name="signatureHeader">The value of <c>webhook-signature</c>; empty when absent.</param>
    /// <returns><see cref="SignatureVerificationResult.Valid"/> when a <c>v1</c> signature matches an active secret and the timestamp is within tolerance; otherwise why not.</returns>
    public SignatureVerificationResult Verify(ReadOnlySpan<byte> body, ReadOnlySpan<char> id, ReadOnlySpan<char> timestamp, ReadOnlySpan<char> signatureHeader)
    {
        id = id.Trim();
        timestamp = timestamp.Trim();
        ReadOnlySpan<char> header = signatureHeader.Trim();
        if (id.IsEmpty || timestamp.IsEmpty || header.IsEmpty)
        {
            return SignatureVerificationResult.Missing;
        }

        if (!SignatureParsing.TryParseUnixSeconds(timestamp, out long signedAt) || header.IndexOf(',') < 0)
        {
            return SignatureVerificationResult.Malformed;
        }

        DateTimeOffset now = _timeProvider.GetUtcNow();

        // The signed prefix "{id}.{timestamp}." is written to the stack in one UTF-8 pass; only a very long id needs a pooled buffer.
        byte[]? rented = null;
        Span<byte> prefix = stackalloc byte[StackPrefixBytes];
        int reserved = timestamp.Length + 2;
        if (!Encoding.UTF8.TryGetBytes(id, prefix[..(StackPrefixBytes - reserved)], out int written))
        {
            rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(id) + reserved);
            prefix = rented;
            written = Encoding.UTF8.GetBytes(id, prefix);
        }

        prefix[written++] = (byte)'.';
        written += SignatureParsing.WriteAscii(timestamp, prefix[written..]);
        prefix[written++] = (byte)'.';

        Span<byte> macs = stackalloc byte[HmacKey.MacSize * _keys.Length];
        int count = Macs.Compute(_keys, now, prefix[..written], body, macs);
        SignatureVerificationResult asymmetric = _publicKeys is null ? SignatureVerificationResult.NoActiveSecret : VerifyV1a(header, prefix[..written], body, now);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        if (asymmetric == SignatureVerificationResult.Valid)
        {
            return Tolerance.Check(signedAt, now);
        }

        if (count == 0)
        {
            return asymmetric;
        }

        // The expected signatures are encoded once, and each candidate is compared with them as text: cheaper than decoding every
        // candidate, and only the canonical encoding matches. Unpadded candidates (43 characters) are accepted.
        Span<char> expected = stackalloc char[Base64MacLength * count];
        for (int i = 0; i < count; i++)
        {
            Convert.TryToBase64Chars(macs.Slice(i * HmacKey.MacSize, HmacKey.MacSize), expected.Slice(i * Base64MacLength, Base64MacLength), out _);
        }

        CryptographicOperations.ZeroMemory(macs[..(count * HmacKey.MacSize)]);

        bool matched = false;
        ReadOnlySpan<char> rest = header;
        while (!rest.IsEmpty)
        {
            int space = rest.IndexOf(' ');
            ReadOnlySpan<char> token = space < 0 ? rest : rest[..space];
            rest = space < 0 ? default : rest[(space + 1)..];

            int comma = token.IndexOf(',');
            if (comma > 0 && token[..comma].SequenceEqual("v1"))
            {
                matched |= MatchesAny(token[(comma + 1)..], expected, count);
            }
        }

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(expected));
        if (!matched)
        {
            return SignatureVerificationResult.Mismatch;
        }

        return Tolerance.Check(signedAt, now);
    }

    /// <summary>Checks each <c>v1a,</c> signature (base64 of 64 bytes) with the public keys; <see cref="SignatureVerificationResult.Valid"/> when one holds.</summary>
    private SignatureVerificationResult VerifyV1a(ReadOnlySpan<char> header, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        SignatureVerificationResult result = SignatureVerificationResult.Mismatch;
        Span<byte> signature = stackalloc byte[66];
        ReadOnlySpan<char> rest = header;
        while (!rest.IsEmpty)
        {
            int space = rest.IndexOf(' ');
            ReadOnlySpan<char> token = space < 0 ? rest : rest[..space];
            rest = space < 0 ? default : rest[(space + 1)..];
            if (token.StartsWith("v1a,", StringComparison.Ordinal) && token.Length <= 4 + 88 &&
                Macs.TryFromCanonicalBase64(token[4..], signature, out int length) && length == 64)
            {
                result = _publicKeys!.Verify(now, prefix, body, signature[..64]);
                if (result is SignatureVerificationResult.Valid or SignatureVerificationResult.NoActiveSecret)
                {
                    return result;
                }
            }
        }

        return result;
    }

    private static byte[]? DecodePublicKey(string key)
    {
        byte[] buffer = new byte[48];
        return Convert.TryFromBase64Chars(key.AsSpan(PublicKeyPrefix.Length), buffer, out int written) ? buffer.AsSpan(0, written).ToArray() : null;
    }

    /// <summary>Compares a base64 candidate, padded or not, with each expected signature in constant time per comparison.</summary>
    private static bool MatchesAny(ReadOnlySpan<char> candidate, ReadOnlySpan<char> expected, int count)
    {
        if (candidate.Length == Base64MacLength)
        {
            if (candidate[^1] != '=')
            {
                return false;
            }
        }
        else if (candidate.Length != Base64MacLength - 1)
        {
            return false;
        }

        ReadOnlySpan<byte> significant = MemoryMarshal.AsBytes(candidate[..(Base64MacLength - 1)]);
        bool matched = false;
        for (int i = 0; i < count; i++)
        {
            matched |= SignatureParsing.FixedTimeEquals(significant, MemoryMarshal.AsBytes(expected.Slice(i * Base64MacLength, Base64MacLength - 1)));
        }

        return matched;
    }

    /// <summary>The id header under Svix's name, which Svix-hosted senders use for the same scheme.</summary>
    public const string SvixIdHeader = "svix-id";

    /// <summary>The timestamp header under Svix's name.</summary>
    public const string SvixTimestampHeader = "svix-timestamp";

    /// <summary>The signature header under Svix's name.</summary>
    public const string SvixSignatureHeader = "svix-signature";

    /// <summary>Verifies a delivery under the standard header names, or under Svix's when it carries no <c>webhook-id</c> but a <c>svix-id</c>.</summary>
    /// <param name="request">The request as received.</param>
    /// <returns>What the check found.</returns>
    public override SignatureVerificationResult Verify(in WebhookRequest request)
    {
        bool svix = UsesSvixNames(request);
        return Verify(
            request.Body,
            request.Header(svix ? SvixIdHeader : IdHeader),
            request.Header(svix ? SvixTimestampHeader : TimestampHeader),
            request.Header(svix ? SvixSignatureHeader : SignatureHeader));
    }

    /// <summary>A delivery without <c>webhook-id</c> (or <c>svix-id</c>) is refused as missing its id: the scheme signs it.</summary>
    /// <param name="request">The request as received.</param>
    /// <returns><see cref="WebhookReadError.MissingDeliveryId"/>, or <see langword="null"/>.</returns>
    public override WebhookReadError? Precheck(in WebhookRequest request) =>
        string.IsNullOrEmpty(request.Header(UsesSvixNames(request) ? SvixIdHeader : IdHeader)) ? WebhookReadError.MissingDeliveryId : null;

    /// <summary>Reads the delivery id from <c>webhook-id</c> (or <c>svix-id</c>) and the type from the JSON body's <c>type</c>.</summary>
    /// <param name="request">The verified request.</param>
    /// <returns>The event, or why it cannot be taken.</returns>
    public override WebhookReadResult Read(in WebhookRequest request)
    {
        if (!request.TryGetSingle(UsesSvixNames(request) ? SvixIdHeader : IdHeader, out string id))
        {
            return WebhookReadResult.Invalid(WebhookReadError.InvalidDeliveryId);
        }

        Span<string?> type = new string?[1];
        return WebhookJsonFields.TryRead(request.Body, TypeField, type)
            ? WebhookReadResult.Event(id, type[0] ?? "")
            : WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
    }

    private static readonly string[] TypeField = ["type"];

    private static bool UsesSvixNames(in WebhookRequest request) =>
        request.Values(IdHeader).Count == 0 && request.Values(SvixIdHeader).Count > 0;
}
