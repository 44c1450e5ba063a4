using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Webhooks.Signatures;

namespace Webhooks.Sources;

/// <summary>The default <see cref="IWebhookSecretProvider"/>: <c>Secret</c> and <c>Secrets</c> of the source's options.</summary>
internal sealed class OptionsSecretProvider(IOptionsMonitor<WebhookSourceOptions> options) : IWebhookSecretProvider
{
    public ValueTask<IReadOnlyList<WebhookSecret>> GetSecretsAsync(WebhookSource source, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<WebhookSecret>>(options.Get(source.Name).AllSecrets());
}
