using System;
using System.Collections.Generic;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// A sender's signature scheme: how its deliveries are signed, identified and limited. One instance describes the scheme; for
/// each source that uses it, <see cref="CreateVerifier"/> prepares a verifier from that source's current secrets. Derive from it
/// to receive from a sender this library does not know (docs/providers.md has a complete example), and add the source with
/// <c>builder.AddSource(name, provider)</c>.
/// </summary>
/// <remarks>Instances are shared by every request and must be thread-safe; a stateless provider is the usual shape.</remarks>
public abstract class WebhookProvider
{
    /// <summary>The default body cap of a provider that does not say otherwise: 1 MiB.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>Initializes the provider.</summary>
    /// <param name="name">
    /// The provider's name, as configuration spells it: <c>Webhooks:Sources:&lt;source&gt;:Provider</c> selects it, and its own
    /// <c>Add…()</c> method reads <c>Webhooks:&lt;name&gt;</c>. ASCII letters and digits.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or holds other characters.</exception>
    protected WebhookProvider(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                throw new ArgumentException($"The provider name '{name}' may only hold ASCII letters and digits (it is a configuration key).", nameof(name));
            }
        }

        Name = name;
    }

    /// <summary>Gets the provider's name, for example <c>GitHub</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the body limit of its sources when neither the source nor the receiver sets <c>MaxBodyBytes</c>.</summary>
    /// <value><see cref="DefaultMaxBodyBytes"/> unless the provider documents a larger payload.</value>
    public virtual long DefaultBodyLimit => DefaultMaxBodyBytes;

    /// <summary>
    /// Gets a value indicating whether the signature leaves the delivery id unsigned, so that a captured body could be sent again
    /// under a new id. Such deliveries are also deduplicated by a digest of their body (the source's <c>DeduplicateByBody</c>).
    /// </summary>
    /// <value><see langword="false"/> unless overridden.</value>
    public virtual bool DeliveryIdUnsigned => false;

    /// <summary>
    /// Gets a value indicating whether the signature covers the URL the sender posted to, so that the endpoint passes
    /// <see cref="WebhookRequest.Url"/>: the source's <c>PublicUrl</c> (plus the request's query) when set, else the URL the request
    /// arrived at. Building it costs a string per request; schemes that do not sign it leave this <see langword="false"/>.
    /// </summary>
    /// <value><see langword="false"/> unless overridden.</value>
    public virtual bool SignsUrl => false;

    /// <summary>Gets how far a signed timestamp may lie from now when the source does not set <c>Tolerance</c>.</summary>
    /// <value>300 seconds unless the provider's own SDK uses another window.</value>
    public virtual TimeSpan DefaultTolerance => TimestampTolerance.DefaultSkew;

    /// <summary>
    /// Gets the names of headers that carry a secret (GitLab's <c>X-Gitlab-Token</c>): they are never stored with the event,
    /// like <c>Authorization</c> and <c>Cookie</c>.
    /// </summary>
    /// <value>Empty unless overridden.</value>
    public virtual IReadOnlyCollection<string> SecretHeaders => [];

    /// <summary>
    /// Gets the names of the headers whose values differ on every delivery (ids, signatures, timestamps): stored events keep one
    /// shared copy of every other header value, and these would only fill that pool.
    /// </summary>
    /// <value>Empty unless overridden.</value>
    public virtual IReadOnlyCollection<string> PerDeliveryHeaders => [];

    /// <summary>Prepares a verifier for one source from its current secrets and settings. Called again when they change.</summary>
    /// <param name="context">The source, its active secrets (at least one), its settings and the clock.</param>
    /// <returns>The verifier, shared by all requests to that source until its secrets change.</returns>
    /// <exception cref="ArgumentException">A secret is not in the form the scheme needs; start-up fails with the message.</exception>
    public abstract WebhookVerifier CreateVerifier(WebhookVerifierContext context);

    /// <summary>Returns the provider's name.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;
}
