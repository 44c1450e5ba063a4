namespace Webhooks.Sender.Subscriptions;

/// <summary>How deliveries to a subscriber are signed.</summary>
public enum WebhookSignatureStyle
{
    /// <summary>
    /// Standard Webhooks: <c>webhook-id</c> (the message id, the same on every attempt), <c>webhook-timestamp</c> (the attempt's
    /// time) and <c>webhook-signature</c>, which carries one <c>v1,…</c> signature per secret in use (two during a rotation).
    /// </summary>
    StandardWebhooks,

    /// <summary>
    /// As GitHub signs: <c>X-Hub-Signature-256</c> over the body, with <c>X-GitHub-Delivery</c> (the message id) and
    /// <c>X-GitHub-Event</c> (the event type). The header holds one signature, so during a rotation it is made with the older secret
    /// until the overlap ends.
    /// </summary>
    GitHub,
}
