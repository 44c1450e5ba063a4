using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

using Webhooks.Providers;

namespace Webhooks.Signatures;

/// <summary>
/// Verifies GitHub's <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c> header: HMAC-SHA256 of the raw body keyed with the
/// UTF-8 bytes of the secret. The SHA-1 header <c>X-Hub-Signature</c> is deliberately not supported.
/// </summary>
/// <remarks>
/// Instances are thread-safe and meant to live as long as the secrets they hold: keys are prepared once, and verification
/// allocates nothing. Hex digits are accepted in either case (GitHub sends lowercase; the decoded bytes are what is compared).
/// </remarks>
public sealed class GitHubSignatureVerifier : WebhookVerifier
{
    /// <summary>The name of the header that carries the signature.</summary>
    public const string SignatureHeader = "X-Hub-Signature-256";

    /// <summary>The name of the header that carries the delivery id.</summary>
    public const string DeliveryHeader = "X-GitHub-Delivery";

    /// <summary>The name of the header that carries the event type.</summary>
    public const string EventHeader = "X-GitHub-Event";

    private readonly HmacKey[] _keys;
    private readonly TimeProvider _timeProvider;
    private readonly bool _hasWindows;

    /// <summary>Creates a verifier for one secret.</summary>
    /// <param name="secret">The webhook secret configured on GitHub.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty or white space.</exception>
    public GitHubSignatureVerifier(string secret)
        : this([new WebhookSecret(secret ?? throw new ArgumentNullException(nameof(secret)))])
    {
    }

    /// <summary>Creates a verifier that accepts a signature made with any of the active <paramref name="secrets"/>.</summary>
    /// <param name="secrets">One to 16 secrets, each optionally limited to a validity window.</param>
    /// <param name="timeProvider">The clock used for validity windows; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secrets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secrets"/> is empty, holds <see langword="null"/>, or holds more than 16 secrets.</exception>
    public GitHubSignatureVerifier(IEnumerable<WebhookSecret> secrets, TimeProvider? timeProvider = null)
    {
        _keys = SecretKeys.Utf8(secrets, nameof(secrets));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _hasWindows = Array.Exists(_keys, static key => key.HasWindow);
    }

    /// <summary>Verifies <paramref name="signatureHeader"/> against the raw request body.</summary>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="signatureHeader">The value of <c>X-Hub-Signature-256</c>; empty when the header is absent.</param>
    /// <returns><see cref="SignatureVerificationResult.Valid"/> when the signature matches an active secret; otherwise why not.</returns>
    public SignatureVerificationResult Verify(ReadOnlySpan<byte> body, ReadOnlySpan<char> signatureHeader)
    {
        ReadOnlySpan<char> header = signatureHeader.Trim();
        if (header.IsEmpty)
        {
            return SignatureVerificationResult.Missing;
        }

        int equals = header.IndexOf('=');
        if (equals < 0 || !header[..equals].TrimEnd().Equals("sha256", StringComparison.OrdinalIgnoreCase))
        {
            return SignatureVerificationResult.Malformed;
        }

        ReadOnlySpan<char> candidate = header[(equals + 1)..].TrimStart();
        if (candidate.Length != SignatureParsing.HexMacLength || candidate.ContainsAnyExcept(SignatureParsing.HexDigits))
        {
            return SignatureVerificationResult.Malformed;
        }

        // The clock is read only when some secret has a validity window: GitHub signatures carry no timestamp.
        DateTimeOffset now = _hasWindows ? _timeProvider.GetUtcNow() : default;
        Span<byte> macs = stackalloc byte[HmacKey.MacSize * _keys.Length];
        int count = Macs.Compute(_keys, now, default, body, macs);
        if (count == 0)
        {
            return SignatureVerificationResult.NoActiveSecret;
        }

        Span<char> expected = stackalloc char[SignatureParsing.HexMacLength * count];
        SignatureParsing.EncodeHex(macs, count, expected);
        CryptographicOperations.ZeroMemory(macs[..(count * HmacKey.MacSize)]);
        bool matched = SignatureParsing.HexMatchesAny(candidate, expected, count);
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(expected));
        return matched ? SignatureVerificationResult.Valid : SignatureVerificationResult.Mismatch;
    }

    /// <inheritdoc/>
    public override SignatureVerificationResult Verify(in WebhookRequest request) => Verify(request.Body, request.Header(SignatureHeader));

    /// <summary>Reads the delivery id from <c>X-GitHub-Delivery</c> and the type from <c>X-GitHub-Event</c>; a JSON body must be one valid object (a form-encoded one is taken as sent).</summary>
    /// <param name="request">The verified request.</param>
    /// <returns>The event, or why it cannot be taken.</returns>
    public override WebhookReadResult Read(in WebhookRequest request)
    {
        if (!request.TryGetSingle(DeliveryHeader, out string id) || !request.TryGetSingle(EventHeader, out string type))
        {
            return WebhookReadResult.Invalid(WebhookReadError.InvalidDeliveryId);
        }

        // GitHub sends JSON unless the hook was configured for form encoding, which is accepted as sent.
        if (id.Length > 0 && request.IsJsonOrUndeclared && !WebhookJsonFields.TryRead(request.Body, [], []))
        {
            return WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
        }

        return WebhookReadResult.Event(id, type);
    }
}
