using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Sources;

/// <summary>
/// The receiver's sources and their prepared verifiers: what a receiving endpoint asks before it accepts a delivery. Registered
/// by <c>AddWebhookReceiver()</c>; the sources are those added in code (<c>AddGitHub()</c>, …) and those configured under
/// <c>Webhooks:Sources</c>, read once at start-up; their secrets and settings follow configuration reloads.
/// </summary>
public sealed class WebhookSources
{
    private readonly WebhookSourceRegistry _registry;
    private readonly WebhookVerifierCache _verifiers;

    internal WebhookSources(WebhookSourceRegistry registry, WebhookVerifierCache verifiers)
    {
        _registry = registry;
        _verifiers = verifiers;
    }

    /// <summary>Gets how many sources there are.</summary>
    public int Count => _registry.Count;

    /// <summary>Gets every source.</summary>
    public IEnumerable<WebhookSource> All => _registry.All;

    /// <summary>Finds a source by its route name, ignoring case.</summary>
    /// <param name="name">The name in the route (<c>POST /webhooks/{name}</c>).</param>
    /// <param name="source">The source, when there is one by that name.</param>
    /// <returns><see langword="true"/> when there is.</returns>
    public bool TryGet(string name, [MaybeNullWhen(false)] out WebhookSource source)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _registry.TryGet(name, out source);
    }

    /// <summary>
    /// Gets the source's verifier, built from its current secrets: from configuration, or from a custom
    /// <see cref="IWebhookSecretProvider"/> (one lookup at a time per source, cached for <c>SecretCacheDuration</c>).
    /// </summary>
    /// <param name="source">The source.</param>
    /// <param name="cancellationToken">Stops waiting for a lookup.</param>
    /// <returns>The verifier.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// When a custom secret provider fails or passes <c>SecretLookupTimeout</c>, its exception is thrown here, and again without
    /// asking it for <c>SecretFailureCacheDuration</c>: nothing can be verified meanwhile, so the sender should be told to retry.
    /// </remarks>
    public ValueTask<WebhookSourceVerifier> GetVerifierAsync(WebhookSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return _verifiers.GetAsync(source, cancellationToken);
    }
}
