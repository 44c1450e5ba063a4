using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// GitLab: <c>X-Gitlab-Token</c> carries the webhook's secret token itself, compared in constant time (its SHA-256 against the
/// secret's, so that not even its length leaks), and never stored with the event. The token does not sign the body, so
/// deliveries are also deduplicated by body. Id in <c>X-Gitlab-Event-UUID</c>; type the body's <c>object_kind</c>
/// (<c>push</c>, <c>merge_request</c>).
/// </summary>
public sealed class GitLabProvider : WebhookProvider
{
    /// <summary>The token header.</summary>
    public const string TokenHeader = "X-Gitlab-Token";

    /// <summary>The delivery id header.</summary>
    public const string IdHeader = "X-Gitlab-Event-UUID";

    private static readonly string[] Fields = ["object_kind"];

    /// <summary>Initializes the provider.</summary>
    public GitLabProvider()
        : base("GitLab")
    {
    }

    /// <summary>GitLab's largest payload is 25 MiB.</summary>
    public override long DefaultBodyLimit => 25L * 1024 * 1024;

    /// <inheritdoc/>
    public override bool DeliveryIdUnsigned => true;

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> SecretHeaders { get; } = [TokenHeader];

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [IdHeader, "Idempotency-Key"];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier : WebhookVerifier
    {
        private readonly (byte[] Digest, WebhookSecret Secret)[] _tokens;
        private readonly TimeProvider _timeProvider;

        public Verifier(WebhookVerifierContext context)
        {
            var tokens = new List<(byte[], WebhookSecret)>();
            foreach (WebhookSecret secret in context.Secrets)
            {
                tokens.Add((SHA256.HashData(Encoding.UTF8.GetBytes(secret.Value)), secret));
            }

            _tokens = [.. tokens];
            _timeProvider = context.TimeProvider;
        }

        public override SignatureVerificationResult Verify(in WebhookRequest request)
        {
            string token = request.Header(TokenHeader);
            if (token.Length == 0)
            {
                return SignatureVerificationResult.Missing;
            }

            int size = Encoding.UTF8.GetMaxByteCount(token.Length);
            byte[]? rented = size > Macs.StackPrefixBytes ? ArrayPool<byte>.Shared.Rent(size) : null;
            Span<byte> bytes = rented ?? stackalloc byte[Macs.StackPrefixBytes];
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(bytes[..Encoding.UTF8.GetBytes(token, bytes)], digest);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            DateTimeOffset now = _timeProvider.GetUtcNow();
            bool active = false;
            bool matched = false;
            foreach ((byte[] expected, WebhookSecret secret) in _tokens)
            {
                if (secret.IsActiveAt(now))
                {
                    active = true;
                    matched |= CryptographicOperations.FixedTimeEquals(digest, expected);
                }
            }

            return !active ? SignatureVerificationResult.NoActiveSecret : matched ? SignatureVerificationResult.Valid : SignatureVerificationResult.Mismatch;
        }

        public override WebhookReadResult Read(in WebhookRequest request)
        {
            if (!request.TryGetSingle(IdHeader, out string id))
            {
                return WebhookReadResult.Invalid(WebhookReadError.InvalidDeliveryId);
            }

            Span<string?> values = new string?[Fields.Length];
            return WebhookJsonFields.TryRead(request.Body, Fields, values)
                ? WebhookReadResult.Event(id, values[0] ?? "")
                : WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
        }
    }
}
