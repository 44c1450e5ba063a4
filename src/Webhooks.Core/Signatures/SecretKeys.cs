using System;
using System.Collections.Generic;
using System.Text;

namespace Webhooks.Signatures;

/// <summary>Turns configured secrets into prepared keys, once, for each scheme's rule.</summary>
internal static class SecretKeys
{
    /// <summary>At most this many secrets per verifier; rotation needs two or three.</summary>
    public const int MaxSecrets = 16;

    private const string StandardWebhooksPrefix = "whsec_";

    /// <summary>GitHub and Stripe: the key is the UTF-8 bytes of the whole secret string (Stripe's <c>whsec_</c> prefix included).</summary>
    public static HmacKey[] Utf8(IEnumerable<WebhookSecret> secrets, string paramName) =>
        Prepare(secrets, paramName, static s => Encoding.UTF8.GetBytes(s.Value));

    /// <summary>The UTF-8 bytes of each whole secret, for another hash than SHA-256 (Twilio's SHA-1).</summary>
    public static HmacKey[] Utf8(IEnumerable<WebhookSecret> secrets, string paramName, System.Security.Cryptography.HashAlgorithmName algorithm) =>
        Prepare(secrets, paramName, static s => Encoding.UTF8.GetBytes(s.Value), algorithm);

    /// <summary>Standard Webhooks: the key is the base64 decoding of what follows the <c>whsec_</c> prefix.</summary>
    public static HmacKey[] StandardWebhooks(IEnumerable<WebhookSecret> secrets, string paramName) =>
        Prepare(secrets, paramName, s => DecodeStandardWebhooksSecret(s.Value, paramName));

    public static byte[] DecodeStandardWebhooksSecret(string secret, string paramName)
    {
        ReadOnlySpan<char> encoded = secret.AsSpan().Trim();
        if (encoded.StartsWith(StandardWebhooksPrefix, StringComparison.Ordinal))
        {
            encoded = encoded[StandardWebhooksPrefix.Length..];
        }

        byte[] buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (encoded.IsEmpty || !Convert.TryFromBase64Chars(encoded, buffer, out int written) || written == 0)
        {
            throw new ArgumentException(
                "A Standard Webhooks secret must be 'whsec_' followed by the base64 encoding of the key; the value given is not valid base64 or is empty.",
                paramName);
        }

        return buffer.AsSpan(0, written).ToArray();
    }

    private static HmacKey[] Prepare(IEnumerable<WebhookSecret> secrets, string paramName, Func<WebhookSecret, byte[]> keyOf) =>
        Prepare(secrets, paramName, keyOf, System.Security.Cryptography.HashAlgorithmName.SHA256);

    private static HmacKey[] Prepare(IEnumerable<WebhookSecret> secrets, string paramName, Func<WebhookSecret, byte[]> keyOf, System.Security.Cryptography.HashAlgorithmName algorithm)
    {
        ArgumentNullException.ThrowIfNull(secrets, paramName);
        var keys = new List<HmacKey>();
        foreach (WebhookSecret? secret in secrets)
        {
            if (secret is null)
            {
                throw new ArgumentException("The list of secrets contains null.", paramName);
            }

            keys.Add(new HmacKey(keyOf(secret), secret.NotBefore, secret.NotAfter, algorithm));
        }

        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one secret is required: a source without a secret cannot verify anything and never accepts unsigned deliveries.", paramName);
        }

        if (keys.Count > MaxSecrets)
        {
            throw new ArgumentException($"At most {MaxSecrets} secrets can be active for one source.", paramName);
        }

        return keys.ToArray();
    }
}
