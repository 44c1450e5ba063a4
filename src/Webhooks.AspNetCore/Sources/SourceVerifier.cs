using System;
using Microsoft.AspNetCore.Http;
using Webhooks.Signatures;

namespace Webhooks.AspNetCore.Sources;

/// <summary>The prepared verifier of one source, built once from its secrets and reused for every request.</summary>
internal sealed class SourceVerifier
{
    private readonly GitHubSignatureVerifier? _gitHub;
    private readonly StripeSignatureVerifier? _stripe;
    private readonly StandardWebhooksSignatureVerifier? _standard;

    public SourceVerifier(WebhookSource source, WebhookSecret[] secrets, WebhookSourceOptions options, TimeProvider timeProvider)
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

    public WebhookSource Source { get; }

    public bool HasSecrets { get; }

    public SignatureVerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        if (_gitHub is not null)
        {
            return _gitHub.Verify(body, headers[GitHubSignatureVerifier.SignatureHeader].ToString());
        }

        if (_stripe is not null)
        {
            return _stripe.Verify(body, headers[StripeSignatureVerifier.SignatureHeader].ToString());
        }

        if (_standard is not null)
        {
            return _standard.Verify(
                body,
                headers[StandardWebhooksSignatureVerifier.IdHeader].ToString(),
                headers[StandardWebhooksSignatureVerifier.TimestampHeader].ToString(),
                headers[StandardWebhooksSignatureVerifier.SignatureHeader].ToString());
        }

        // No secret: fail closed.
        return SignatureVerificationResult.NoActiveSecret;
    }
}
