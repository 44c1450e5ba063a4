using System;
using System.Collections.Generic;

namespace Webhooks.AspNetCore.Sources;

/// <summary>
/// Settings of one source, as named options: <c>github</c> binds <c>Webhooks:GitHub</c>, <c>stripe</c> binds <c>Webhooks:Stripe</c>,
/// and a Standard Webhooks source <c>name</c> binds <c>Webhooks:Sources:name</c>.
/// </summary>
public sealed class WebhookSourceOptions
{
    /// <summary>Gets or sets the signing secret.</summary>
    /// <value>Required unless <see cref="Secrets"/> is set or an <see cref="IWebhookSecretProvider"/> supplies secrets.</value>
    public string? Secret { get; set; }

    /// <summary>Gets the secrets accepted at once while one is rotated; each is tried, and a signature made with any is valid.</summary>
    public IList<string> Secrets { get; } = [];

    /// <summary>Gets or sets the largest body accepted, in bytes; larger deliveries get 413.</summary>
    /// <value><see langword="null"/> for the default: <c>Webhooks:MaxBodyBytes</c> when set, else 25 MiB for GitHub (its own cap) and 1 MiB for others.</value>
    public long? MaxBodyBytes { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a GitHub delivery whose body is byte-identical to a stored one is a duplicate
    /// whatever its delivery id (<c>Webhooks:GitHub:DeduplicateByBody</c>). GitHub signs only the body, not its
    /// <c>X-GitHub-Delivery</c> and <c>X-GitHub-Event</c> headers: without this, a captured signed body sent again under a new
    /// delivery id would be processed again. Turn it off only if one hook can legitimately send the same bytes twice.
    /// </summary>
    /// <value><see langword="true"/> by default; only GitHub sources use it (the other schemes sign their ids).</value>
    public bool DeduplicateByBody { get; set; } = true;

    /// <summary>Gets or sets how old a signed timestamp may be (Stripe and Standard Webhooks).</summary>
    /// <value>300 seconds by default.</value>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Gets or sets how far in the future a signed timestamp may be.</summary>
    /// <value><see langword="null"/> (the default) for the same as <see cref="Tolerance"/>.</value>
    public TimeSpan? FutureTolerance { get; set; }

    internal List<string> AllSecrets()
    {
        var all = new List<string>();
        if (!string.IsNullOrWhiteSpace(Secret))
        {
            all.Add(Secret);
        }

        foreach (string secret in Secrets)
        {
            if (!string.IsNullOrWhiteSpace(secret) && !all.Contains(secret))
            {
                all.Add(secret);
            }
        }

        return all;
    }
}
