using System.Collections.Generic;

namespace Webhooks.Sender.Subscriptions;

/// <summary>A page of subscriptions.</summary>
/// <param name="Subscriptions">The subscriptions, in id order.</param>
/// <param name="NextCursor">Where the next page starts, or <see langword="null"/> when this is the last.</param>
public sealed record WebhookSubscriptionPage(IReadOnlyList<WebhookSubscription> Subscriptions, string? NextCursor);
