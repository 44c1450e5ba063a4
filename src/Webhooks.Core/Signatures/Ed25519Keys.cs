using System;
using System.Buffers;
using System.Collections.Generic;
using NSec.Cryptography;

namespace Webhooks.Signatures;

/// <summary>
/// Ed25519 public keys of one source (Discord, Standard Webhooks <c>v1a</c>), each with its secret's validity window, checked with
/// libsodium through NSec: the message is a prefix and the body, copied into one pooled buffer because Ed25519 reads its
/// message twice.
/// </summary>
internal sealed class Ed25519Keys
{
    private readonly (PublicKey Key, WebhookSecret Secret)[] _keys;

    private Ed25519Keys((PublicKey, WebhookSecret)[] keys) => _keys = keys;

    public int Count => _keys.Length;

    /// <summary>Imports each secret as a raw 32-byte public key, decoded by <paramref name="decode"/>.</summary>
    /// <exception cref="ArgumentException">A key is not 32 bytes once decoded.</exception>
    public static Ed25519Keys Import(IEnumerable<WebhookSecret> secrets, Func<string, byte[]?> decode, string form)
    {
        var keys = new List<(PublicKey, WebhookSecret)>();
        foreach (WebhookSecret secret in secrets)
        {
            byte[]? raw = decode(secret.Value.Trim());
            if (raw is not { Length: 32 } || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out PublicKey? key))
            {
                throw new ArgumentException($"An Ed25519 public key must be {form}: 32 bytes once decoded; the value given is not.", nameof(secrets));
            }

            keys.Add((key!, secret));
        }

        return new Ed25519Keys([.. keys]);
    }

    /// <summary>Checks a 64-byte signature over <paramref name="prefix"/> + <paramref name="body"/> with every key active at <paramref name="now"/>.</summary>
    public SignatureVerificationResult Verify(DateTimeOffset now, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature)
    {
        bool active = false;
        bool matched = false;
        byte[] message = ArrayPool<byte>.Shared.Rent(prefix.Length + body.Length);
        try
        {
            prefix.CopyTo(message);
            body.CopyTo(message.AsSpan(prefix.Length));
            ReadOnlySpan<byte> data = message.AsSpan(0, prefix.Length + body.Length);
            foreach ((PublicKey key, WebhookSecret secret) in _keys)
            {
                if (secret.IsActiveAt(now))
                {
                    active = true;
                    matched |= signature.Length == 64 && SignatureAlgorithm.Ed25519.Verify(key, data, signature);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }

        return !active ? SignatureVerificationResult.NoActiveSecret : matched ? SignatureVerificationResult.Valid : SignatureVerificationResult.Mismatch;
    }
}
