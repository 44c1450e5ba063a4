using System.Collections.Generic;
using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// GitHub: <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c>, HMAC-SHA256 of the body keyed with the secret's UTF-8 bytes; id in
/// <c>X-GitHub-Delivery</c>, type in <c>X-GitHub-Event</c>. Neither header is signed, so deliveries are also deduplicated by
/// body. Bodies up to 25 MiB, GitHub's own cap.
/// </summary>
public sealed class GitHubProvider : WebhookProvider
{
    /// <summary>GitHub's default body cap: 25 MiB, the largest payload GitHub sends.</summary>
    public const long MaxBodyBytes = 25L * 1024 * 1024;

    /// <summary>Initializes the provider.</summary>
    public GitHubProvider()
        : base("GitHub")
    {
    }

    /// <inheritdoc/>
    public override long DefaultBodyLimit => MaxBodyBytes;

    /// <inheritdoc/>
    public override bool DeliveryIdUnsigned => true;

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> PerDeliveryHeaders { get; } =
        [GitHubSignatureVerifier.DeliveryHeader, GitHubSignatureVerifier.SignatureHeader, "X-Hub-Signature"];

    /// <inheritdoc/>
    public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) =>
        new GitHubSignatureVerifier(context.Secrets, context.TimeProvider);
}
