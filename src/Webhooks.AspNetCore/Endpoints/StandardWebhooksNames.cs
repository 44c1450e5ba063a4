using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Webhooks.Signatures;

namespace Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The header names a Standard Webhooks delivery comes under: <c>webhook-id</c>, <c>webhook-timestamp</c>,
/// <c>webhook-signature</c>, or the same scheme under Svix's names (<c>svix-id</c>, …), which Svix-hosted senders use.
/// </summary>
internal sealed class StandardWebhooksNames(string id, string timestamp, string signature)
{
    public static readonly StandardWebhooksNames Standard = new(
        StandardWebhooksSignatureVerifier.IdHeader, StandardWebhooksSignatureVerifier.TimestampHeader, StandardWebhooksSignatureVerifier.SignatureHeader);

    public static readonly StandardWebhooksNames Svix = new("svix-id", "svix-timestamp", "svix-signature");

    public string Id { get; } = id;

    public string Timestamp { get; } = timestamp;

    public string Signature { get; } = signature;

    /// <summary>The standard names, unless the delivery carries no <c>webhook-id</c> but a <c>svix-id</c>.</summary>
    public static StandardWebhooksNames Of(IHeaderDictionary headers) =>
        StringValues.IsNullOrEmpty(headers[Standard.Id]) && !StringValues.IsNullOrEmpty(headers[Svix.Id]) ? Svix : Standard;
}
