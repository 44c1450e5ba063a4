using System.Collections.Generic;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Stripe: <c>Stripe-Signature: t=…,v1=…</c>, HMAC-SHA256 of <c>{t}.{body}</c> keyed with the whole <c>whsec_…</c> string, within
/// the tolerance; id and type from the JSON body.
/// </summary>
public sealed class StripeProvider : WebhookProvider
{
    /// <summary>Initializes the provider.</summary>
    public StripeProvider()
        : base("Stripe")
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } = [StripeSignatureVerifier.SignatureHeader];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) =>
        new StripeSignatureVerifier(context.Secrets, context.Tolerance, context.TimeProvider);
}
