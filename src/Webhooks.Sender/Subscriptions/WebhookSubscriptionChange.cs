using System.Collections.Generic;

namespace Webhooks.Sender.Subscriptions;

/// <summary>A change to a subscription: each property that is not <see langword="null"/> replaces the stored one.</summary>
public sealed record WebhookSubscriptionChange
{
    /// <summary>Gets the new URL, checked again by the <see cref="Security.WebhookUrlPolicy"/>.</summary>
    public string? Url { get; init; }

    /// <summary>Gets the new event type patterns.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>Gets whether events are delivered; activating a subscription clears <see cref="WebhookSubscription.DisabledReason"/>.</summary>
    public bool? IsActive { get; init; }

    /// <summary>Gets the new description.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the new metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Gets the new signature style.</summary>
    public WebhookSignatureStyle? SignatureStyle { get; init; }
}
