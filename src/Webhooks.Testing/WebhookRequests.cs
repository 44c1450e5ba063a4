using System;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Webhooks.Signatures;

namespace Webhooks.Testing;

/// <summary>
/// Builds HTTP requests signed exactly as each provider signs them (headers, ids, timestamps), to post to your receiver in tests,
/// for example through a <c>WebApplicationFactory</c> or <c>TestServer</c> client.
/// </summary>
public static partial class WebhookRequests
{
    /// <summary>Builds a GitHub delivery: <c>X-GitHub-Event</c>, <c>X-GitHub-Delivery</c>, <c>X-GitHub-Hook-ID</c>, <c>X-Hub-Signature-256</c> (and the legacy SHA-1 <c>X-Hub-Signature</c>), JSON body.</summary>
    /// <param name="secret">The webhook secret.</param>
    /// <param name="eventType">The event, for example <c>push</c>.</param>
    /// <param name="body">The exact body bytes.</param>
    /// <param name="deliveryId">The delivery id; a new GUID when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/github</c> by default.</param>
    /// <returns>The request; the caller sends and disposes it.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> or <paramref name="eventType"/> is empty.</exception>
    public static HttpRequestMessage GitHub(string secret, string eventType, byte[] body, string? deliveryId = null, string path = "/webhooks/github")
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(path);

        HttpRequestMessage request = JsonPost(path, body);
        request.Headers.TryAddWithoutValidation("User-Agent", "GitHub-Hookshot/044aadd");
        request.Headers.Add("X-GitHub-Event", eventType);
        request.Headers.Add("X-GitHub-Delivery", deliveryId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-GitHub-Hook-ID", "292430182");
        request.Headers.Add("X-Hub-Signature-256", new GitHubSigner(secret).Sign(body));
#pragma warning disable CA5350 // GitHub still sends the legacy SHA-1 header; it is reproduced, never verified.
        request.Headers.Add("X-Hub-Signature", "sha1=" + Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), body)));
#pragma warning restore CA5350
        return request;
    }

    /// <summary>Builds a GitHub delivery with a UTF-8 body.</summary>
    /// <param name="secret">The webhook secret.</param>
    /// <param name="eventType">The event, for example <c>push</c>.</param>
    /// <param name="body">The body text, sent as UTF-8.</param>
    /// <param name="deliveryId">The delivery id; a new GUID when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/github</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage GitHub(string secret, string eventType, string body, string? deliveryId = null, string path = "/webhooks/github")
    {
        ArgumentNullException.ThrowIfNull(body);
        return GitHub(secret, eventType, Encoding.UTF8.GetBytes(body), deliveryId, path);
    }

    /// <summary>Builds a Stripe delivery: <c>Stripe-Signature: t=…,v1=…</c> over the exact body.</summary>
    /// <param name="secret">The endpoint secret (<c>whsec_…</c>).</param>
    /// <param name="body">The event JSON, for example from <see cref="StripeEvent"/>.</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/stripe</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty.</exception>
    public static HttpRequestMessage Stripe(string secret, string body, DateTimeOffset? timestamp = null, string path = "/webhooks/stripe")
    {
        ArgumentNullException.ThrowIfNull(body);
        return Stripe(secret, Encoding.UTF8.GetBytes(body), timestamp, path);
    }

    /// <summary>Builds a Stripe delivery from raw bytes (which need not be valid UTF-8): the body signed with a <c>Stripe-Signature</c> header.</summary>
    /// <param name="secret">The endpoint secret (<c>whsec_…</c>).</param>
    /// <param name="body">The body bytes, sent exactly as given.</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/stripe</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty.</exception>
    public static HttpRequestMessage Stripe(string secret, byte[] body, DateTimeOffset? timestamp = null, string path = "/webhooks/stripe")
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = body;
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.TryAddWithoutValidation("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)");
        request.Headers.Add("Stripe-Signature", new StripeSigner(secret).Sign(bytes, timestamp ?? DateTimeOffset.UtcNow));
        return request;
    }

    /// <summary>Builds a Standard Webhooks delivery: <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>.</summary>
    /// <param name="secret">The secret (<c>whsec_</c> followed by base64).</param>
    /// <param name="path">Where to post, for example <c>/webhooks/acme</c>.</param>
    /// <param name="body">The payload JSON.</param>
    /// <param name="messageId">The message id; <c>msg_</c> and a random suffix when <see langword="null"/>.</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty or not valid base64.</exception>
    public static HttpRequestMessage StandardWebhooks(string secret, string path, string body, string? messageId = null, DateTimeOffset? timestamp = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string id = messageId ?? "msg_" + Guid.NewGuid().ToString("N");
        DateTimeOffset at = timestamp ?? DateTimeOffset.UtcNow;
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new StandardWebhooksSigner(secret).Sign(id, at, bytes));
        return request;
    }

    /// <summary>Builds a minimal Stripe event JSON: <c>{"id":…,"object":"event","type":…,"created":…,"data":{"object":…}}</c>.</summary>
    /// <param name="type">The event type, for example <c>payment_intent.succeeded</c>.</param>
    /// <param name="id">The event id; <c>evt_</c> and a random suffix when <see langword="null"/>.</param>
    /// <param name="dataObjectJson">The JSON of <c>data.object</c>; <c>{}</c> by default.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is empty.</exception>
    public static string StripeEvent(string type, string? id = null, string dataObjectJson = "{}")
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(dataObjectJson);
        string eventId = id ?? "evt_" + Guid.NewGuid().ToString("N")[..24];
        string created = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return string.Concat(
            "{\"id\":\"", JsonEncode(eventId), "\",\"object\":\"event\",\"api_version\":\"2024-06-20\",\"created\":", created,
            ",\"type\":\"", JsonEncode(type), "\",\"livemode\":false,\"data\":{\"object\":", dataObjectJson, "}}");
    }

    private static string Unix(DateTimeOffset? at) => (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string Hmac256(string key, string prefix, byte[] body, bool base64)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(key));
        hmac.AppendData(Encoding.UTF8.GetBytes(prefix));
        hmac.AppendData(body);
        byte[] mac = hmac.GetHashAndReset();
        return base64 ? Convert.ToBase64String(mac) : Convert.ToHexStringLower(mac);
    }

    private static string JsonEncode(string value) => System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(value);

    private static HttpRequestMessage JsonPost(string path, byte[] body) => Post(path, body, "application/json");

    private static HttpRequestMessage Post(string path, byte[] body, string mediaType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.RelativeOrAbsolute))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        return request;
    }
}
