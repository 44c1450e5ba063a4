using System.Collections.Generic;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Standard Webhooks (and Svix, whose senders use the same scheme under <c>svix-*</c> names): <c>webhook-id</c>,
/// <c>webhook-timestamp</c>, <c>webhook-signature</c> with <c>v1,</c> HMAC-SHA256 signatures of <c>{id}.{timestamp}.{body}</c>
/// keyed with the base64 after <c>whsec_</c>, within the tolerance; type from the JSON body.
/// </summary>
public sealed class StandardWebhooksProvider : WebhookProvider
{
    /// <summary>Initializes the provider.</summary>
    public StandardWebhooksProvider()
        : base("StandardWebhooks")
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } =
    [
        StandardWebhooksSignatureVerifier.IdHeader, StandardWebhooksSignatureVerifier.TimestampHeader, StandardWebhooksSignatureVerifier.SignatureHeader,
        StandardWebhooksSignatureVerifier.SvixIdHeader, StandardWebhooksSignatureVerifier.SvixTimestampHeader, StandardWebhooksSignatureVerifier.SvixSignatureHeader,
    ];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) =>
        new StandardWebhooksSignatureVerifier(context.Secrets, context.Tolerance, context.TimeProvider);
}
