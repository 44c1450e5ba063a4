using System;
using Webhooks.Signatures;

namespace Webhooks.Sources;

/// <summary>
/// The prepared verifier of one source, built from its current secrets and settings and reused for every request until they
/// change (<see cref="WebhookSources.GetVerifierAsync"/>). Thread-safe.
/// </summary>
public sealed class WebhookSourceVerifier
{
    private readonly GitHubSignatureVerifier? _gitHub;
    private readonly StripeSignatureVerifier? _stripe;
    private readonly StandardWebhooksSignatureVerifier? _standard;

    internal WebhookSourceVerifier(WebhookSource source, WebhookSecret[] secrets, WebhookSourceOptions options, TimeProvider timeProvider)
    {
        Source = source;
        HasSecrets = secrets.Length > 0;
        if (!HasSecrets)
        {
            return;
        }

        var tolerance = new TimestampTolerance(options.Tolerance, options.FutureTolerance ?? options.Tolerance);
        switch (source.Kind)
        {
            case WebhookSourceKind.GitHub:
                _gitHub = new GitHubSignatureVerifier(secrets, timeProvider);
                break;
            case WebhookSourceKind.Stripe:
                _stripe = new StripeSignatureVerifier(secrets, tolerance, timeProvider);
                break;
            default:
                _standard = new StandardWebhooksSignatureVerifier(secrets, tolerance, timeProvider);
                break;
        }
    }

    /// <summary>Gets the source it verifies for.</summary>
    public WebhookSource Source { get; }

    /// <summary>Gets a value indicating whether the source has a secret; without one every delivery is refused (<see cref="SignatureVerificationResult.NoActiveSecret"/>).</summary>
    public bool HasSecrets { get; }

    /// <summary>Verifies a delivery with the headers its scheme signs: only the ones the scheme uses are read.</summary>
    /// <param name="body">The raw body.</param>
    /// <param name="signature">The signature header (<c>X-Hub-Signature-256</c>, <c>Stripe-Signature</c> or <c>webhook-signature</c>).</param>
    /// <param name="id">Standard Webhooks: <c>webhook-id</c>.</param>
    /// <param name="timestamp">Standard Webhooks: <c>webhook-timestamp</c>.</param>
    /// <returns>What the check found; bad input never throws.</returns>
    public SignatureVerificationResult Verify(ReadOnlySpan<byte> body, string? signature, string? id, string? timestamp)
    {
        if (_gitHub is not null)
        {
            return _gitHub.Verify(body, signature);
        }

        if (_stripe is not null)
        {
            return _stripe.Verify(body, signature);
        }

        if (_standard is not null)
        {
            return _standard.Verify(body, id, timestamp, signature);
        }

        // No secret: fail closed.
        return SignatureVerificationResult.NoActiveSecret;
    }
}
