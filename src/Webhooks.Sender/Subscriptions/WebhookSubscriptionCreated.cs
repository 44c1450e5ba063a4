namespace Webhooks.Sender.Subscriptions;

/// <summary>A subscription just created or given a new secret, with that secret: the only time it is handed out.</summary>
/// <param name="Subscription">The subscription as stored.</param>
/// <param name="Secret">The new secret, <c>whsec_</c> and the base64 of 32 random bytes, to give to the subscriber.</param>
public sealed record WebhookSubscriptionCreated(WebhookSubscription Subscription, string Secret)
{
    /// <summary>Hides the secret from logs and debuggers.</summary>
    /// <returns>A description without the secret.</returns>
    public override string ToString() => $"WebhookSubscriptionCreated {{ Subscription = {Subscription.Id}, Secret = whsec_… }}";
}
