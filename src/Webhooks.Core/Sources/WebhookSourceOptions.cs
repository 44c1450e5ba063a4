using System;
using System.Collections.Generic;
using Webhooks.Signatures;

namespace Webhooks.Sources;

/// <summary>
/// Settings of one source, as named options: <c>github</c> reads <c>Webhooks:GitHub</c>, <c>stripe</c> reads <c>Webhooks:Stripe</c>,
/// and a Standard Webhooks source <c>name</c> reads <c>Webhooks:Sources:name</c>.
/// </summary>
public sealed class WebhookSourceOptions
{
    /// <summary>The largest body limit a source may set: 256 MiB (a body is held in memory whole).</summary>
    public const long MaxBodyBytesLimit = 256L * 1024 * 1024;

    /// <summary>Gets or sets the signing secret (<c>…:Secret</c>).</summary>
    /// <value>Required unless <see cref="Secrets"/> holds one or an <see cref="IWebhookSecretProvider"/> supplies secrets.</value>
    public string? Secret { get; set; }

    /// <summary>
    /// Gets the secrets accepted at once while one is rotated (<c>…:Secrets</c>): a signature made with any active one is valid.
    /// In configuration each entry is a string, or an object <c>{ "Value": "…", "NotBefore": "2026-01-01T00:00:00Z", "NotAfter": "…" }</c>
    /// whose window limits when it is accepted.
    /// </summary>
    public IList<WebhookSecret> Secrets { get; } = [];

    /// <summary>Gets or sets the largest body accepted, in bytes; larger deliveries get 413 (<c>…:MaxBodyBytes</c>).</summary>
    /// <value>
    /// <see langword="null"/> for the default: <c>Webhooks:MaxBodyBytes</c> when set, else the provider's (25 MiB for GitHub, its own
    /// cap; 1 MiB for most others). At most <see cref="MaxBodyBytesLimit"/>.
    /// </value>
    public long? MaxBodyBytes { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a delivery whose body is byte-identical to a stored one is a duplicate whatever its
    /// delivery id (<c>…:DeduplicateByBody</c>), for schemes that leave the id unsigned (GitHub, Shopify, GitLab). GitHub signs only
    /// the body, not its <c>X-GitHub-Delivery</c> and <c>X-GitHub-Event</c> headers: without this, a captured signed body sent
    /// again under a new delivery id would be processed again. Turn it off only if one hook can legitimately send the same bytes twice.
    /// </summary>
    /// <value><see langword="true"/> by default; only sources whose scheme leaves the id unsigned use it.</value>
    public bool DeduplicateByBody { get; set; } = true;

    /// <summary>
    /// Gets or sets the absolute URL the sender is configured to post to (<c>…:PublicUrl</c>), for schemes that sign it (Twilio,
    /// Square): needed when a proxy or load balancer in front of the receiver changes the scheme, host, port or path. The
    /// request's query string is appended to it.
    /// </summary>
    /// <value><see langword="null"/> (the default) for the URL the request arrived at.</value>
    public string? PublicUrl { get; set; }

    private TimeSpan? _tolerance;

    /// <summary>Gets or sets how old a signed timestamp may be (schemes that sign one; <c>…:Tolerance</c>).</summary>
    /// <value>
    /// The provider's window when not set (<see cref="Providers.WebhookProvider.DefaultTolerance"/>: 300 seconds for most, as
    /// their SDKs use; 60 for Linear, 5 for Paddle, 600 for Twitch); reading it then gives 300 seconds.
    /// </value>
    public TimeSpan Tolerance
    {
        get => _tolerance ?? TimeSpan.FromSeconds(300);
        set => _tolerance = value;
    }

    /// <summary>Gets the tolerance set in configuration or code, if any.</summary>
    internal TimeSpan? ToleranceSet => _tolerance;

    /// <summary>Gets or sets how far in the future a signed timestamp may be (<c>…:FutureTolerance</c>).</summary>
    /// <value><see langword="null"/> (the default) for the same as <see cref="Tolerance"/>.</value>
    public TimeSpan? FutureTolerance { get; set; }

    internal List<WebhookSecret> AllSecrets()
    {
        var all = new List<WebhookSecret>(Secrets.Count + 1);
        if (!string.IsNullOrWhiteSpace(Secret))
        {
            all.Add(new WebhookSecret(Secret));
        }

        foreach (WebhookSecret secret in Secrets)
        {
            if (secret is not null)
            {
                all.Add(secret);
            }
        }

        return all;
    }
}
