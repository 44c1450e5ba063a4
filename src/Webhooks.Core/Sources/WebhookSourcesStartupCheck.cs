using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Webhooks.Sources;

/// <summary>
/// Fails start-up, naming the configuration key, when a source has no secret, an unusable one, or settings out of range: a
/// receiver never runs in an "accept unsigned" state.
/// </summary>
internal sealed class WebhookSourcesStartupCheck(
    WebhookSourceRegistry registry,
    WebhookVerifierCache verifiers,
    IOptionsMonitor<WebhookSourceOptions> sourceOptions) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (WebhookSource source in registry.All)
        {
            WebhookSourceOptions options = sourceOptions.Get(source.Name);
            if (options.MaxBodyBytes is <= 0 or > WebhookSourceOptions.MaxBodyBytesLimit)
            {
                throw new InvalidOperationException($"{registry.KeyOf(source, "MaxBodyBytes")} must be between 1 and {WebhookSourceOptions.MaxBodyBytesLimit} (256 MiB).");
            }

            if (options.Tolerance < TimeSpan.Zero || options.FutureTolerance < TimeSpan.Zero)
            {
                throw new InvalidOperationException($"{registry.KeyOf(source, "Tolerance")} must not be negative.");
            }

            if (options.PublicUrl is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) && parsed.Scheme is "http" or "https"))
            {
                throw new InvalidOperationException($"{registry.KeyOf(source, "PublicUrl")} must be an absolute http or https URL, as the sender is configured to post to.");
            }

            WebhookSourceVerifier verifier;
            try
            {
                verifier = await verifiers.GetAsync(source, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"The secret of webhook source '{source.Name}' ({registry.KeyOf(source, "Secret")}) is not usable: {ex.Message}", ex);
            }

            if (!verifier.HasSecrets)
            {
                throw new InvalidOperationException(
                    $"No secret is configured for webhook source '{source.Name}': set {registry.KeyOf(source, "Secret")} (or {registry.KeyOf(source, "Secrets")}), or supply one from an IWebhookSecretProvider. Unsigned deliveries are never accepted.");
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
