using System;

namespace Webhooks.Signatures;

/// <summary>
/// One signing secret of a webhook source, optionally limited to a validity window so that secrets can be rotated:
/// during a rotation the old and the new secret are both active, and a signature that matches either is valid.
/// </summary>
/// <remarks><see cref="ToString"/> never returns the secret.</remarks>
public sealed class WebhookSecret
{
    /// <summary>Creates a secret.</summary>
    /// <param name="value">The secret exactly as the provider shows it (for example <c>whsec_…</c> for Stripe and Standard Webhooks).</param>
    /// <param name="notBefore">The first instant at which the secret is accepted; <see langword="null"/> for no lower bound.</param>
    /// <param name="notAfter">The last instant at which the secret is accepted; <see langword="null"/> for no upper bound.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is empty or white space, or <paramref name="notAfter"/> is not after <paramref name="notBefore"/>.</exception>
    public WebhookSecret(string value, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("A webhook secret must not be empty: an empty secret would accept unsigned deliveries.", nameof(value));
        }

        if (notBefore is { } from && notAfter is { } to && to <= from)
        {
            throw new ArgumentException("The secret's validity window is empty: NotAfter must be later than NotBefore.", nameof(notAfter));
        }

        Value = value;
        NotBefore = notBefore;
        NotAfter = notAfter;
    }

    /// <summary>Gets the secret exactly as it was given.</summary>
    /// <value>A non-empty string.</value>
    public string Value { get; }

    /// <summary>Gets the first instant at which the secret is accepted.</summary>
    /// <value><see langword="null"/> (the default) for no lower bound.</value>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>Gets the last instant at which the secret is accepted.</summary>
    /// <value><see langword="null"/> (the default) for no upper bound.</value>
    public DateTimeOffset? NotAfter { get; }

    /// <summary>Tells whether the secret is inside its validity window at <paramref name="now"/>.</summary>
    /// <param name="now">The instant to test.</param>
    /// <returns><see langword="true"/> when <paramref name="now"/> is within [<see cref="NotBefore"/>, <see cref="NotAfter"/>].</returns>
    public bool IsActiveAt(DateTimeOffset now) =>
        (NotBefore is not { } from || now >= from) && (NotAfter is not { } to || now <= to);

    /// <summary>Returns a description that does not contain the secret.</summary>
    /// <returns>A redacted description.</returns>
    public override string ToString() => "WebhookSecret(***)";
}
