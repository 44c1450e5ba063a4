using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Signatures;

namespace Webhooks.Sources;

/// <summary>
/// Supplies the secrets of a source, for example from a vault. The default reads <see cref="WebhookSourceOptions"/>
/// (configuration); register your own to replace it.
/// </summary>
/// <remarks>
/// Answers are cached per source: options-based secrets until configuration reloads, others for <c>Webhooks:SecretCacheDuration</c>.
/// However many requests need a source's secrets at once, only one lookup runs; a lookup that fails (or passes
/// <c>Webhooks:SecretLookupTimeout</c>) is remembered for <c>Webhooks:SecretFailureCacheDuration</c>, during which deliveries to that
/// source are answered 503 <c>secrets_unavailable</c> without asking again, so a slow or failing vault is not hit by every request.
/// </remarks>
public interface IWebhookSecretProvider
{
    /// <summary>Returns the secrets currently active for <paramref name="source"/>; an empty list means the source refuses everything (fail closed).</summary>
    /// <param name="source">The source.</param>
    /// <param name="cancellationToken">Cancelled when the lookup passes <c>Webhooks:SecretLookupTimeout</c> or the host stops.</param>
    /// <returns>The secrets, each optionally limited to a validity window.</returns>
    ValueTask<IReadOnlyList<WebhookSecret>> GetSecretsAsync(WebhookSource source, CancellationToken cancellationToken);
}
