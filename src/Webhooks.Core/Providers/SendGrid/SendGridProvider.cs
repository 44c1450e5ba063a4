using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Threading;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// SendGrid Event Webhook: <c>X-Twilio-Email-Event-Webhook-Signature</c>, an ECDSA P-256 signature (base64, DER) over SHA-256 of
/// <c>X-Twilio-Email-Event-Webhook-Timestamp</c> followed by the body; the source's secret is the verification key SendGrid
/// shows (base64 of the public key, or PEM). The body is a batch of events with no id of its own, so the id is a digest of the
/// body, and a replayed batch is a duplicate; its type is <c>events</c>. As SendGrid's SDK, the timestamp is signed but not held
/// to a window (SendGrid documents none for its retries).
/// </summary>
public sealed class SendGridProvider : WebhookProvider
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";

    /// <summary>The signed timestamp header.</summary>
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    /// <summary>Initializes the provider.</summary>
    public SendGridProvider()
        : base("SendGrid")
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [SignatureHeader, TimestampHeader];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier : WebhookVerifier
    {
        private readonly (ECDsa Key, Lock Gate, WebhookSecret Secret)[] _keys;
        private readonly TimeProvider _timeProvider;

        public Verifier(WebhookVerifierContext context)
        {
            var keys = new List<(ECDsa, Lock, WebhookSecret)>();
            foreach (WebhookSecret secret in context.Secrets)
            {
                keys.Add((Import(secret.Value.Trim()), new Lock(), secret));
            }

            _keys = [.. keys];
            _timeProvider = context.TimeProvider;
        }

        public override SignatureVerificationResult Verify(in WebhookRequest request)
        {
            ReadOnlySpan<char> text = request.Header(SignatureHeader).AsSpan().Trim();
            ReadOnlySpan<char> timestamp = request.Header(TimestampHeader).AsSpan().Trim();
            if (text.IsEmpty || timestamp.IsEmpty)
            {
                return SignatureVerificationResult.Missing;
            }

            // A DER signature of P-256 is at most 72 bytes, 96 characters of base64.
            Span<byte> signature = stackalloc byte[72];
            Span<byte> prefix = stackalloc byte[SignatureParsing.MaxTimestampDigits];
            if (text.Length > 96 || !Macs.TryFromCanonicalBase64(text, signature, out int signatureLength) ||
                !SignatureParsing.TryParseUnixSeconds(timestamp, out _))
            {
                return SignatureVerificationResult.Malformed;
            }

            Span<byte> hash = stackalloc byte[32];
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                sha.AppendData(prefix[..SignatureParsing.WriteAscii(timestamp, prefix)]);
                sha.AppendData(request.Body);
                sha.GetHashAndReset(hash);
            }

            DateTimeOffset now = _timeProvider.GetUtcNow();
            bool active = false;
            bool matched = false;
            foreach ((ECDsa key, Lock gate, WebhookSecret secret) in _keys)
            {
                if (secret.IsActiveAt(now))
                {
                    active = true;
                    lock (gate)
                    {
                        matched |= key.VerifyHash(hash, signature[..signatureLength], DSASignatureFormat.Rfc3279DerSequence);
                    }
                }
            }

            return !active ? SignatureVerificationResult.NoActiveSecret : matched ? SignatureVerificationResult.Valid : SignatureVerificationResult.Mismatch;
        }

        public override WebhookReadResult Read(in WebhookRequest request) =>
            request.Body.TrimStart(" \t\r\n"u8) is [(byte)'[', ..] && WebhookJsonFields.IsValid(request.Body)
                ? WebhookReadResult.Event(BodyDigest.Id(request.Body), "events")
                : WebhookReadResult.Invalid(WebhookReadError.InvalidJson);

        /// <summary>A P-256 public key from PEM, or from the base64 of its SubjectPublicKeyInfo as SendGrid shows it.</summary>
        private static ECDsa Import(string key)
        {
            var ecdsa = ECDsa.Create();
            try
            {
                if (key.Contains("-----BEGIN", StringComparison.Ordinal))
                {
                    ecdsa.ImportFromPem(key);
                }
                else
                {
                    ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(key), out _);
                }

                if (ecdsa.KeySize != 256)
                {
                    throw new ArgumentException("A SendGrid verification key must be a P-256 public key.", nameof(key));
                }

                return ecdsa;
            }
            catch (Exception ex) when (ex is FormatException or CryptographicException)
            {
                ecdsa.Dispose();
                throw new ArgumentException("A SendGrid verification key must be the base64 public key SendGrid shows (or PEM); the value given is not one.", nameof(key), ex);
            }
            catch
            {
                ecdsa.Dispose();
                throw;
            }
        }
    }
}
