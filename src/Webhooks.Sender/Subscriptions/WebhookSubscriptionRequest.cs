using System.Collections.Generic;

namespace Webhooks.Sender.Subscriptions;

/// <summary>What is asked for when a subscription is created.</summary>
public sealed record WebhookSubscriptionRequest
{
    /// <summary>Gets the URL to post deliveries to; checked by the <see cref="Security.WebhookUrlPolicy"/>.</summary>
    public required string Url { get; init; }

    /// <summary>Gets the event types to deliver, 1 to 100 patterns where <c>*</c> matches any run of characters.</summary>
    public required IReadOnlyList<string> EventTypes { get; init; }

    /// <summary>Gets a description for people, at most 500 characters.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the application's own data, at most 50 entries with keys of up to 100 and values of up to 1000 characters.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Gets how deliveries are signed; Standard Webhooks by default.</summary>
    public WebhookSignatureStyle SignatureStyle { get; init; }

    /// <summary>
    /// Gets a secret to use instead of a generated one, for subscriptions moved from another system (the subscriber keeps its
    /// secret): <c>whsec_</c> and the base64 of 24 to 64 bytes. <see langword="null"/> (the default) generates one.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>Gets a value indicating whether events are delivered from the start; <see langword="true"/> by default.</summary>
    public bool IsActive { get; init; } = true;
}
