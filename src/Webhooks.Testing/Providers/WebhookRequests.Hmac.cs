using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Testing;

// Requests signed as the HMAC providers sign them, one method per provider.
public static partial class WebhookRequests
{
    /// <summary>Builds a Shopify delivery: <c>X-Shopify-Hmac-Sha256</c> (base64), <c>X-Shopify-Topic</c>, <c>X-Shopify-Webhook-Id</c>, the shop's headers.</summary>
    /// <param name="secret">The app's client secret.</param>
    /// <param name="topic">The topic, for example <c>orders/create</c>.</param>
    /// <param name="body">The payload JSON.</param>
    /// <param name="webhookId">The delivery id; a new GUID when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/shopify</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage Shopify(string secret, string topic, string body, string? webhookId = null, string path = "/webhooks/shopify")
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.TryAddWithoutValidation("User-Agent", "Shopify-Captain-Hook");
        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Webhook-Id", webhookId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Shop-Domain", "example.myshopify.com");
        request.Headers.Add("X-Shopify-API-Version", "2025-10");
        request.Headers.Add("X-Shopify-Hmac-Sha256", Hmac256(secret, "", bytes, base64: true));
        return request;
    }

    /// <summary>Builds a Slack delivery: <c>X-Slack-Signature: v0=…</c> over <c>v0:{timestamp}:{body}</c>, JSON or form-encoded.</summary>
    /// <param name="signingSecret">The app's signing secret.</param>
    /// <param name="body">The Events API JSON, or a form-encoded body with <paramref name="form"/>.</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <param name="form">Sends the body as <c>application/x-www-form-urlencoded</c> (slash commands, interactivity).</param>
    /// <param name="path">Where to post; <c>/webhooks/slack</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage Slack(string signingSecret, string body, DateTimeOffset? timestamp = null, bool form = false, string path = "/webhooks/slack")
    {
        ArgumentException.ThrowIfNullOrEmpty(signingSecret);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string at = Unix(timestamp);
        HttpRequestMessage request = Post(path, bytes, form ? "application/x-www-form-urlencoded" : "application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)");
        request.Headers.Add("X-Slack-Request-Timestamp", at);
        request.Headers.Add("X-Slack-Signature", "v0=" + Hmac256(signingSecret, "v0:" + at + ":", bytes, base64: false));
        return request;
    }

    /// <summary>Builds a Slack Events API <c>event_callback</c> JSON.</summary>
    /// <param name="eventType">The inner event's type, for example <c>app_mention</c>.</param>
    /// <param name="eventId">The event id; <c>Ev</c> and a random suffix when <see langword="null"/>.</param>
    /// <returns>The JSON text.</returns>
    public static string SlackEvent(string eventType, string? eventId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        return string.Concat(
            "{\"token\":\"test\",\"team_id\":\"T0001\",\"api_app_id\":\"A0001\",\"type\":\"event_callback\",\"event_id\":\"", JsonEncode(eventId ?? "Ev" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant()),
            "\",\"event_time\":", Unix(null), ",\"event\":{\"type\":\"", JsonEncode(eventType), "\",\"user\":\"U0001\",\"channel\":\"C0001\"}}");
    }

    /// <summary>
    /// Builds a Twilio form callback: <c>X-Twilio-Signature</c>, the base64 HMAC-SHA1 of <paramref name="url"/> and the parameters
    /// sorted by name, and <c>I-Twilio-Idempotency-Token</c>.
    /// </summary>
    /// <param name="authToken">The account's auth token.</param>
    /// <param name="url">The absolute URL Twilio is configured to call, query included; the request goes to its path and query.</param>
    /// <param name="parameters">The form parameters.</param>
    /// <param name="idempotencyToken">The delivery id; a new GUID when <see langword="null"/>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage Twilio(string authToken, Uri url, IEnumerable<KeyValuePair<string, string>> parameters, string? idempotencyToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(authToken);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(parameters);
        KeyValuePair<string, string>[] pairs = [.. parameters];
        var signed = new StringBuilder(url.OriginalString);
        foreach (KeyValuePair<string, string> pair in pairs.Distinct().OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            signed.Append(pair.Key).Append(pair.Value);
        }

#pragma warning disable CA5350 // Twilio signs with HMAC-SHA1; reproduced for tests.
        string signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(signed.ToString())));
#pragma warning restore CA5350
        byte[] body = Encoding.UTF8.GetBytes(string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))));
        HttpRequestMessage request = Post(url.PathAndQuery, body, "application/x-www-form-urlencoded");
        request.Headers.TryAddWithoutValidation("User-Agent", "TwilioProxy/1.1");
        request.Headers.Add("X-Twilio-Signature", signature);
        request.Headers.Add("I-Twilio-Idempotency-Token", idempotencyToken ?? Guid.NewGuid().ToString());
        return request;
    }

    /// <summary>Builds a Paddle Billing delivery: <c>Paddle-Signature: ts=…;h1=…</c> over <c>{ts}:{body}</c>.</summary>
    /// <param name="secret">The notification destination's secret key.</param>
    /// <param name="body">The event JSON (<c>event_id</c>, <c>event_type</c>, …).</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/paddle</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage Paddle(string secret, string body, DateTimeOffset? timestamp = null, string path = "/webhooks/paddle")
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string at = Unix(timestamp);
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.Add("Paddle-Signature", "ts=" + at + ";h1=" + Hmac256(secret, at + ":", bytes, base64: false));
        return request;
    }

    /// <summary>Builds a Linear delivery: <c>Linear-Signature</c> (hex) of the body, <c>Linear-Delivery</c>, <c>Linear-Event</c>.</summary>
    /// <param name="secret">The webhook's signing secret.</param>
    /// <param name="eventType">The entity type, for example <c>Issue</c>.</param>
    /// <param name="body">The payload JSON; it must carry <c>webhookTimestamp</c> (Unix milliseconds), which Linear signs.</param>
    /// <param name="deliveryId">The delivery id; a new GUID when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/linear</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage Linear(string secret, string eventType, string body, string? deliveryId = null, string path = "/webhooks/linear")
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.TryAddWithoutValidation("User-Agent", "Linear-Webhook");
        request.Headers.Add("Linear-Delivery", deliveryId ?? Guid.NewGuid().ToString());
        request.Headers.Add("Linear-Event", eventType);
        request.Headers.Add("Linear-Signature", Hmac256(secret, "", bytes, base64: false));
        return request;
    }

    /// <summary>Builds a Square delivery: <c>x-square-hmacsha256-signature</c>, base64 of the notification URL followed by the body.</summary>
    /// <param name="signatureKey">The subscription's signature key.</param>
    /// <param name="notificationUrl">The notification URL registered with Square; the request goes to its path.</param>
    /// <param name="body">The event JSON (<c>event_id</c>, <c>type</c>, …).</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage Square(string signatureKey, Uri notificationUrl, string body)
    {
        ArgumentException.ThrowIfNullOrEmpty(signatureKey);
        ArgumentNullException.ThrowIfNull(notificationUrl);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        HttpRequestMessage request = JsonPost(notificationUrl.PathAndQuery, bytes);
        request.Headers.TryAddWithoutValidation("User-Agent", "Square Connect v2");
        request.Headers.Add("x-square-hmacsha256-signature", Hmac256(signatureKey, notificationUrl.OriginalString, bytes, base64: true));
        return request;
    }

    /// <summary>Builds a Zoom delivery: <c>x-zm-signature: v0=…</c> over <c>v0:{timestamp}:{body}</c>.</summary>
    /// <param name="secretToken">The app's secret token.</param>
    /// <param name="body">The event JSON (<c>event</c>, <c>payload</c>, …).</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/zoom</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage Zoom(string secretToken, string body, DateTimeOffset? timestamp = null, string path = "/webhooks/zoom")
    {
        ArgumentException.ThrowIfNullOrEmpty(secretToken);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string at = Unix(timestamp);
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.TryAddWithoutValidation("User-Agent", "Zoom Marketplace/1.0a");
        request.Headers.Add("x-zm-request-timestamp", at);
        request.Headers.Add("x-zm-signature", "v0=" + Hmac256(secretToken, "v0:" + at + ":", bytes, base64: false));
        return request;
    }

    /// <summary>Builds a Twitch EventSub delivery: the message id, type and timestamp headers and <c>sha256=</c> of id + timestamp + body.</summary>
    /// <param name="secret">The subscription's secret.</param>
    /// <param name="messageType"><c>notification</c>, <c>webhook_callback_verification</c> or <c>revocation</c>.</param>
    /// <param name="body">The message JSON (<c>subscription</c>, <c>event</c> or <c>challenge</c>).</param>
    /// <param name="messageId">The message id; a new GUID when <see langword="null"/>.</param>
    /// <param name="timestamp">The signing time; now when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/twitch</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage Twitch(string secret, string messageType, string body, string? messageId = null, DateTimeOffset? timestamp = null, string path = "/webhooks/twitch")
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(messageType);
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string id = messageId ?? Guid.NewGuid().ToString();
        string at = (timestamp ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        HttpRequestMessage request = JsonPost(path, bytes);
        request.Headers.Add("Twitch-Eventsub-Message-Id", id);
        request.Headers.Add("Twitch-Eventsub-Message-Retry", "0");
        request.Headers.Add("Twitch-Eventsub-Message-Type", messageType);
        request.Headers.Add("Twitch-Eventsub-Message-Timestamp", at);
        request.Headers.Add("Twitch-Eventsub-Message-Signature", "sha256=" + Hmac256(secret, id + at, bytes, base64: false));
        return request;
    }

    /// <summary>Builds a GitLab delivery: <c>X-Gitlab-Token</c> (the secret token itself), <c>X-Gitlab-Event</c>, <c>X-Gitlab-Event-UUID</c>.</summary>
    /// <param name="token">The webhook's secret token.</param>
    /// <param name="eventName">The event header, for example <c>Push Hook</c>.</param>
    /// <param name="body">The payload JSON (its <c>object_kind</c> is the event type).</param>
    /// <param name="eventUuid">The delivery id; a new GUID when <see langword="null"/>.</param>
    /// <param name="path">Where to post; <c>/webhooks/gitlab</c> by default.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static HttpRequestMessage GitLab(string token, string eventName, string body, string? eventUuid = null, string path = "/webhooks/gitlab")
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(body);
        HttpRequestMessage request = JsonPost(path, Encoding.UTF8.GetBytes(body));
        request.Headers.TryAddWithoutValidation("User-Agent", "GitLab/18.6.0");
        request.Headers.Add("X-Gitlab-Event", eventName);
        request.Headers.Add("X-Gitlab-Event-UUID", eventUuid ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Gitlab-Instance", "https://gitlab.example.com");
        request.Headers.Add("X-Gitlab-Token", token);
        return request;
    }
}
