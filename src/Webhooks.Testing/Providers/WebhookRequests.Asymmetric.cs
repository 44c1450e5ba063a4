using System;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Webhooks.Testing;

// Requests signed as the providers with key pairs sign them (Ed25519, ECDSA P-256); the receiver holds the public key.
public static partial class WebhookRequests
{
    /// <summary>Builds a Discord delivery: <c>X-Signature-Ed25519</c> (hex) over <c>X-Signature-Timestamp</c> followed by the body.</summary>
    /// <param name="privateKey">The 32-byte Ed25519 private key (seed) standing in for Discord's; see <see cref="Ed25519PublicKey"/> for the receiver's secret.</param>
    /// <param name="body">The webhook event or interaction JSON.</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/discord</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="privateKey"/> is not 32 bytes.</exception>
    public static HttpRequestMessage Discord(byte[] privateKey, string body, DateTimeOffset? timestamp = null, string path = "/webhooks/discord")
    {
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string at = Unix(timestamp);
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.TryAddWithoutValidation("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)");
        request.Headers.Add("X-Signature-Timestamp", at);
        request.Headers.Add("X-Signature-Ed25519", Convert.ToHexStringLower(SignEd25519(privateKey, Encoding.ASCII.GetBytes(at), bytes)));
        return request;
    }

    /// <summary>
    /// Builds a Standard Webhooks delivery with an asymmetric <c>v1a</c> signature (Ed25519 over <c>{id}.{timestamp}.{body}</c>);
    /// the receiver holds <c>whpk_</c> and the base64 of <see cref="Ed25519PublicKey"/>.
    /// </summary>
    /// <param name="privateKey">The sender's 32-byte Ed25519 private key (seed).</param>
    /// <param name="path">Where to post, for example <c>/webhooks/acme</c>.</param>
    /// <param name="body">The payload JSON.</param>
    /// <param name="messageId">The message id; <c>msg_</c> and a random suffix when <see langword="null"/>.</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage StandardWebhooksAsymmetric(byte[] privateKey, string path, string body, string? messageId = null, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string id = messageId ?? "msg_" + Guid.NewGuid().ToString("N");
        string at = Unix(timestamp);
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", at);
        request.Headers.Add("webhook-signature", "v1a," + Convert.ToBase64String(SignEd25519(privateKey, Encoding.UTF8.GetBytes(id + "." + at + "."), bytes)));
        return request;
    }

    /// <summary>The raw 32-byte Ed25519 public key of a private key (seed): in hex it is Discord's application public key.</summary>
    /// <param name="privateKey">The 32-byte private key.</param>
    /// <returns>The public key.</returns>
    /// <exception cref="ArgumentException"><paramref name="privateKey"/> is not 32 bytes.</exception>
    public static byte[] Ed25519PublicKey(byte[] privateKey)
    {
        using Key key = ImportEd25519(privateKey);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>
    /// Builds a SendGrid Event Webhook delivery: <c>X-Twilio-Email-Event-Webhook-Signature</c>, an ECDSA P-256 signature (DER,
    /// base64) of the timestamp followed by the body; the receiver's secret is the base64 of
    /// <c>privateKey.ExportSubjectPublicKeyInfo()</c>.
    /// </summary>
    /// <param name="privateKey">A P-256 key standing in for SendGrid's.</param>
    /// <param name="body">The batch of events (a JSON array).</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/sendgrid</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage SendGrid(ECDsa privateKey, string body, DateTimeOffset? timestamp = null, string path = "/webhooks/sendgrid")
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string at = Unix(timestamp);
        byte[] message = [.. Encoding.ASCII.GetBytes(at), .. bytes];
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.TryAddWithoutValidation("User-Agent", "SendGrid Event API");
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", at);
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Signature", Convert.ToBase64String(privateKey.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
        return request;
    }

    private static byte[] SignEd25519(byte[] privateKey, byte[] prefix, byte[] body)
    {
        using Key key = ImportEd25519(privateKey);
        return SignatureAlgorithm.Ed25519.Sign(key, [.. prefix, .. body]);
    }

    private static Key ImportEd25519(byte[] privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        return privateKey.Length == 32
            ? Key.Import(SignatureAlgorithm.Ed25519, privateKey, KeyBlobFormat.RawPrivateKey)
            : throw new ArgumentException("An Ed25519 private key is 32 bytes.", nameof(privateKey));
    }
}
