using System;

namespace Webhooks.Sender.Subscriptions;

/// <summary>One secret a subscription's deliveries are signed with.</summary>
/// <param name="Value">The secret, <c>whsec_</c> followed by the base64 of 32 random bytes.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">When it stops signing (the end of a rotation's overlap); <see langword="null"/> for the current secret.</param>
public sealed record WebhookSigningSecret(string Value, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt)
{
    /// <summary>Hides the secret from logs and debuggers.</summary>
    /// <returns>A description without the value.</returns>
    public override string ToString() => ExpiresAt is { } expires ? $"whsec_… (expires {expires:O})" : "whsec_… (current)";
}
