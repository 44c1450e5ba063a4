using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Webhooks.Signatures;

namespace Webhooks.AspNetCore.Sources;

/// <summary>The default <see cref="IWebhookSecretProvider"/>: <c>Secret</c> and <c>Secrets</c> of the source's options.</summary>
internal sealed class OptionsSecretProvider(IOptionsMonitor<WebhookSourceOptions> options) : IWebhookSecretProvider
{
    public ValueTask<IReadOnlyList<WebhookSecret>> GetSecretsAsync(WebhookSource source, CancellationToken cancellationToken)
    {
        List<string> values = options.Get(source.Name).AllSecrets();
        var secrets = new WebhookSecret[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            secrets[i] = new WebhookSecret(values[i]);
        }

        return ValueTask.FromResult<IReadOnlyList<WebhookSecret>>(secrets);
    }
}
