namespace Webhooks.Sources;

/// <summary>The signature scheme a source uses.</summary>
public enum WebhookSourceKind
{
    /// <summary>GitHub: <c>X-Hub-Signature-256</c>, delivery id in <c>X-GitHub-Delivery</c>, type in <c>X-GitHub-Event</c>.</summary>
    GitHub,

    /// <summary>Stripe: <c>Stripe-Signature</c>, event id and type read from the JSON body after verification.</summary>
    Stripe,

    /// <summary>Standard Webhooks: <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>; type read from the JSON body after verification.</summary>
    StandardWebhooks,
}
