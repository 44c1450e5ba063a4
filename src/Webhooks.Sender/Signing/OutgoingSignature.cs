using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using Webhooks.Sender.Subscriptions;
using Webhooks.Signatures;

namespace Webhooks.Sender.Signing;

/// <summary>The headers that sign one delivery attempt to one subscriber, in the subscription's style.</summary>
internal static class OutgoingSignature
{
    /// <summary>Adds the identity and signature headers for an attempt made at <paramref name="now"/>.</summary>
    /// <param name="request">The request, whose content is <paramref name="body"/>.</param>
    /// <param name="subscription">The subscriber.</param>
    /// <param name="messageId">The message id, the same on every attempt.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="body">The exact bytes sent.</param>
    /// <param name="now">The attempt's time.</param>
    public static void Apply(HttpRequestMessage request, WebhookSubscription subscription, string messageId, string eventType, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        List<WebhookSigningSecret> secrets = WebhookSubscriptions.SigningSecrets(subscription, now);
        if (secrets.Count == 0)
        {
            throw new InvalidOperationException($"Subscription {subscription.Id} has no secret in use.");
        }

        if (subscription.SignatureStyle == WebhookSignatureStyle.GitHub)
        {
            // One signature fits the header: the oldest secret still in use, so that a subscriber who has not yet switched keeps
            // verifying until the overlap ends (a receiver that holds both secrets accepts it either way).
            request.Headers.TryAddWithoutValidation("X-GitHub-Delivery", messageId);
            request.Headers.TryAddWithoutValidation("X-GitHub-Event", eventType);
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", new GitHubSigner(secrets[^1].Value).Sign(body));
            return;
        }

        long timestamp = now.ToUnixTimeSeconds();
        Span<char> signatures = stackalloc char[(StandardWebhooksSigner.SignatureLength + 1) * secrets.Count];
        int written = 0;
        foreach (WebhookSigningSecret secret in secrets)
        {
            if (written > 0)
            {
                signatures[written++] = ' ';
            }

            new StandardWebhooksSigner(secret.Value).TrySign(messageId, timestamp, body, signatures[written..], out int length);
            written += length;
        }

        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", new string(signatures[..written]));
    }
}
