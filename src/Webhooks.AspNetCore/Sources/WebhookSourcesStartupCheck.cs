using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Webhooks.AspNetCore.Sources;

/// <summary>
/// Fails start-up, naming the configuration key, when a source has no secret or an unusable one: a receiver never runs in an
/// "accept unsigned" state.
/// </summary>
internal sealed class WebhookSourcesStartupCheck(
    WebhookSourceRegistry registry,
    WebhookVerifierCache verifiers,
    IOptionsMonitor<WebhookSourceOptions> sourceOptions,
    IOptionsMonitor<WebhookEndpointOptions> endpointOptions) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        WebhookEndpointOptions endpoint = endpointOptions.CurrentValue;
        if (endpoint.MaxBodyBytes is <= 0)
        {
            throw new InvalidOperationException("Webhooks:MaxBodyBytes must be more than zero.");
        }

        if (endpoint.StoreTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Webhooks:StoreTimeout must be more than zero.");
        }

        if (endpoint.RetryAfter < TimeSpan.Zero || endpoint.SecretCacheDuration < TimeSpan.Zero)
        {
            throw new InvalidOperationException("Webhooks:RetryAfter and Webhooks:SecretCacheDuration must not be negative.");
        }

        foreach (WebhookSource source in registry.All)
        {
            WebhookSourceOptions options = sourceOptions.Get(source.Name);
            if (options.MaxBodyBytes is <= 0)
            {
                throw new InvalidOperationException($"{source.ConfigurationKey}:MaxBodyBytes must be more than zero.");
            }

            if (options.Tolerance < TimeSpan.Zero || options.FutureTolerance < TimeSpan.Zero)
            {
                throw new InvalidOperationException($"{source.ConfigurationKey}:Tolerance must not be negative.");
            }

            SourceVerifier verifier;
            try
            {
                verifier = await verifiers.GetAsync(source, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"The secret of webhook source '{source.Name}' ({source.ConfigurationKey}:Secret) is not usable: {ex.Message}", ex);
            }

            if (!verifier.HasSecrets)
            {
                throw new InvalidOperationException(
                    $"No secret is configured for webhook source '{source.Name}': set {source.ConfigurationKey}:Secret (or {source.ConfigurationKey}:Secrets), or supply one from an IWebhookSecretProvider. Unsigned deliveries are never accepted.");
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
