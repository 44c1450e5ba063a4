using System;
using Webhooks.Providers;
using Webhooks.Signatures;

namespace Webhooks.Sources;

/// <summary>
/// The prepared verifier of one source, built by its provider from its current secrets and settings and reused for every
/// request until they change (<see cref="WebhookSources.GetVerifierAsync"/>). Thread-safe.
/// </summary>
public sealed class WebhookSourceVerifier
{
    private readonly WebhookVerifier? _verifier;

    internal WebhookSourceVerifier(WebhookSource source, WebhookSecret[] secrets, WebhookSourceOptions options, TimeProvider timeProvider)
    {
        Source = source;
        if (secrets.Length > 0)
        {
            _verifier = source.Provider.CreateVerifier(new WebhookVerifierContext(source, secrets, options, timeProvider))
                ?? throw new InvalidOperationException($"The {source.Provider.Name} provider made no verifier for source '{source.Name}'.");
        }
    }

    /// <summary>Gets the source it verifies for.</summary>
    public WebhookSource Source { get; }

    /// <summary>Gets a value indicating whether the source has a secret; without one every delivery is refused (<see cref="SignatureVerificationResult.NoActiveSecret"/>).</summary>
    public bool HasSecrets => _verifier is not null;

    /// <summary>Verifies a delivery as its provider's scheme says; without a secret, fails closed.</summary>
    /// <param name="request">The request as received.</param>
    /// <returns>What the check found; bad input never throws.</returns>
    public SignatureVerificationResult Verify(in WebhookRequest request) =>
        _verifier?.Verify(request) ?? SignatureVerificationResult.NoActiveSecret;

    /// <summary>Checks, before the signature, for what the scheme cannot verify without (see <see cref="WebhookVerifier.Precheck"/>).</summary>
    /// <param name="request">The request as received.</param>
    /// <returns>The error, or <see langword="null"/>.</returns>
    public WebhookReadError? Precheck(in WebhookRequest request) => _verifier?.Precheck(request);

    /// <summary>Reads what a verified delivery is: an event, a handshake to answer, or why it cannot be taken.</summary>
    /// <param name="request">The request, after <see cref="Verify"/> returned <see cref="SignatureVerificationResult.Valid"/>.</param>
    /// <returns>What the delivery is.</returns>
    /// <exception cref="InvalidOperationException">The source has no secret, so nothing was verified.</exception>
    public WebhookReadResult Read(in WebhookRequest request) =>
        _verifier is { } verifier ? verifier.Read(request) : throw new InvalidOperationException($"Source '{Source.Name}' has no secret: nothing it receives is verified.");
}
