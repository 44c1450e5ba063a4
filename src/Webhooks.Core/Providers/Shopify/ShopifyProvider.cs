using System;
using System.Collections.Generic;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// Shopify: <c>X-Shopify-Hmac-Sha256</c>, the base64 HMAC-SHA256 of the body keyed with the app's client secret; id in
/// <c>X-Shopify-Webhook-Id</c>, topic (<c>orders/create</c>) in <c>X-Shopify-Topic</c>. Neither header is signed, so
/// deliveries are also deduplicated by body. No signed timestamp.
/// </summary>
public sealed class ShopifyProvider : WebhookProvider
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-Shopify-Hmac-Sha256";

    /// <summary>The delivery id header.</summary>
    public const string IdHeader = "X-Shopify-Webhook-Id";

    /// <summary>The topic header.</summary>
    public const string TopicHeader = "X-Shopify-Topic";

    /// <summary>Initializes the provider.</summary>
    public ShopifyProvider()
        : base("Shopify")
    {
    }

    /// <inheritdoc/>
    public override bool DeliveryIdUnsigned => true;

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } =
        [SignatureHeader, IdHeader, "X-Shopify-Event-Id", "X-Shopify-Triggered-At"];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

    private sealed class Verifier(WebhookVerifierContext context) : HmacVerifier(context)
    {
        public override SignatureVerificationResult Verify(in WebhookRequest request)
        {
            ReadOnlySpan<char> mac = request.Header(SignatureHeader).AsSpan().Trim();
            return mac.IsEmpty ? SignatureVerificationResult.Missing : Verify([], request.Body, mac, MacText.Base64, null);
        }

        public override WebhookReadResult Read(in WebhookRequest request)
        {
            if (!request.TryGetSingle(IdHeader, out string id) || !request.TryGetSingle(TopicHeader, out string topic))
            {
                return WebhookReadResult.Invalid(WebhookReadError.InvalidDeliveryId);
            }

            // Shopify sends JSON unless the subscription asked for XML, which is taken as sent.
            return id.Length > 0 && request.IsJsonOrUndeclared && !WebhookJsonFields.TryRead(request.Body, [], [])
                ? WebhookReadResult.Invalid(WebhookReadError.InvalidJson)
                : WebhookReadResult.Event(id, topic);
        }
    }
}
