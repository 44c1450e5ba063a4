using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Signatures;

namespace Webhooks.AspNetCore.Sources;

/// <summary>
/// Supplies the secrets of a source, for example from a vault. The default reads <see cref="WebhookSourceOptions"/>
/// (configuration); register your own to replace it. Results are cached per source: options-based secrets until the options change,
/// others for <c>SecretCacheDuration</c>.
/// </summary>
public interface IWebhookSecretProvider
{
    /// <summary>Returns the secrets currently active for <paramref name="source"/>; an empty list means the source refuses everything (fail closed).</summary>
    /// <param name="source">The source.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The secrets, each optionally limited to a validity window.</returns>
    ValueTask<IReadOnlyList<WebhookSecret>> GetSecretsAsync(WebhookSource source, CancellationToken cancellationToken);
}
