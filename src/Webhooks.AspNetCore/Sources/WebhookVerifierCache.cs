using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using Webhooks.Signatures;

namespace Webhooks.AspNetCore.Sources;

/// <summary>
/// Prepared verifiers per source. Options-based secrets are re-read when the options change (configuration reload);
/// secrets from a custom provider are cached for <see cref="WebhookEndpointOptions.SecretCacheDuration"/>.
/// </summary>
internal sealed class WebhookVerifierCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly IWebhookSecretProvider _provider;
    private readonly IOptionsMonitor<WebhookSourceOptions> _sourceOptions;
    private readonly IOptionsMonitor<WebhookEndpointOptions> _endpointOptions;
    private readonly TimeProvider _timeProvider;
    private readonly IDisposable? _changes;
    private readonly bool _fromOptions;

    public WebhookVerifierCache(
        IWebhookSecretProvider provider,
        IOptionsMonitor<WebhookSourceOptions> sourceOptions,
        IOptionsMonitor<WebhookEndpointOptions> endpointOptions,
        TimeProvider timeProvider)
    {
        _provider = provider;
        _sourceOptions = sourceOptions;
        _endpointOptions = endpointOptions;
        _timeProvider = timeProvider;
        _fromOptions = provider is OptionsSecretProvider;
        _changes = sourceOptions.OnChange((_, name) =>
        {
            if (name is null)
            {
                _entries.Clear();
            }
            else
            {
                _entries.TryRemove(name, out Entry? _);
            }
        });
    }

    public async ValueTask<SourceVerifier> GetAsync(WebhookSource source, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (_entries.TryGetValue(source.Name, out Entry? entry) && (entry.ExpiresAt is not { } expires || now < expires))
        {
            return entry.Verifier;
        }

        IReadOnlyList<WebhookSecret> secrets = await _provider.GetSecretsAsync(source, cancellationToken).ConfigureAwait(false);
        var verifier = new SourceVerifier(source, [.. secrets], _sourceOptions.Get(source.Name), _timeProvider);
        DateTimeOffset? expiresAt = _fromOptions ? null : now + _endpointOptions.CurrentValue.SecretCacheDuration;
        _entries[source.Name] = new Entry(verifier, expiresAt);
        return verifier;
    }

    public void Dispose() => _changes?.Dispose();

    private sealed record Entry(SourceVerifier Verifier, DateTimeOffset? ExpiresAt);
}
