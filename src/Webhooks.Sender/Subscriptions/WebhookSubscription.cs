using System;
using System.Collections.Generic;

namespace Webhooks.Sender.Subscriptions;

/// <summary>An endpoint that receives events, as stored. Immutable: a change stores a new instance with the next <see cref="Version"/>.</summary>
public sealed record WebhookSubscription
{
    /// <summary>Gets the id, <c>sub_</c> followed by 26 characters that sort by creation time.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the URL deliveries are posted to.</summary>
    public required string Url { get; init; }

    /// <summary>Gets the event types delivered; <c>*</c> matches any run of characters (<c>invoice.*</c>, or <c>*</c> for all).</summary>
    public required IReadOnlyList<string> EventTypes { get; init; }

    /// <summary>Gets a value indicating whether events are delivered; a disabled subscription keeps its settings and log.</summary>
    public bool IsActive { get; init; } = true;

    /// <summary>Gets why the sender disabled it (<c>gone</c> after a 410, <c>failing</c> after failing for <see cref="WebhookSenderOptions.DisableAfterFailingFor"/>), or <see langword="null"/>.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>
    /// Gets when deliveries to it began failing with no success since, or <see langword="null"/> when the last attempt succeeded.
    /// When it has failed for <see cref="WebhookSenderOptions.DisableAfterFailingFor"/>, the sender disables it (<c>failing</c>).
    /// </summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>Gets a description for people.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the application's own data about the subscription (an account id, for example).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets how its deliveries are signed.</summary>
    public WebhookSignatureStyle SignatureStyle { get; init; }

    /// <summary>Gets the secrets in use, newest first: one, or two during a rotation's overlap.</summary>
    public required IReadOnlyList<WebhookSigningSecret> Secrets { get; init; }

    /// <summary>Gets when it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets the version, 1 when created and one more on every change; stores replace a subscription only at the version read.</summary>
    public long Version { get; init; } = 1;

    /// <summary>Whether events of <paramref name="eventType"/> go to this subscription (whether or not it is active).</summary>
    /// <param name="eventType">The event type.</param>
    /// <returns><see langword="true"/> when one of <see cref="EventTypes"/> matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="eventType"/> is <see langword="null"/>.</exception>
    public bool Matches(string eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        foreach (string pattern in EventTypes)
        {
            if (EventTypePattern.Matches(pattern, eventType))
            {
                return true;
            }
        }

        return false;
    }
}
