using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Webhooks.Signatures;

namespace Webhooks.Sources;

/// <summary>
/// Prepared verifiers per source. Options-based secrets are re-read when configuration reloads; secrets from a custom provider
/// are cached for <see cref="WebhookReceiverOptions.SecretCacheDuration"/>. Only one lookup per source runs at a time, however
/// many requests wait for it; a failed lookup is remembered for <see cref="WebhookReceiverOptions.SecretFailureCacheDuration"/>
/// so that a failing vault is not asked again by every request.
/// </summary>
internal sealed partial class WebhookVerifierCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private readonly IWebhookSecretProvider _provider;
    private readonly IOptionsMonitor<WebhookSourceOptions> _sourceOptions;
    private readonly IOptionsMonitorCache<WebhookSourceOptions> _sourceOptionsCache;
    private readonly IOptionsMonitor<WebhookReceiverOptions> _receiverOptions;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IDisposable? _reload;
    private readonly CancellationTokenSource _disposed = new();
    private readonly bool _fromOptions;
    private long _version;

    public WebhookVerifierCache(
        IWebhookSecretProvider provider,
        IOptionsMonitor<WebhookSourceOptions> sourceOptions,
        IOptionsMonitorCache<WebhookSourceOptions> sourceOptionsCache,
        IOptionsMonitor<WebhookReceiverOptions> receiverOptions,
        TimeProvider timeProvider,
        IConfiguration? configuration = null,
        ILogger<WebhookVerifierCache>? logger = null)
    {
        _provider = provider;
        _sourceOptions = sourceOptions;
        _sourceOptionsCache = sourceOptionsCache;
        _receiverOptions = receiverOptions;
        _timeProvider = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _fromOptions = provider is OptionsSecretProvider;
        if (configuration is not null)
        {
            _reload = ChangeToken.OnChange(configuration.GetReloadToken, Invalidate);
        }
    }

    /// <summary>Forgets every prepared verifier and source setting: configuration was reloaded.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _sourceOptionsCache.Clear();
            _slots.Clear();
            _version++;
        }
    }

    /// <summary>The source's verifier: cached, or looked up once for all concurrent callers.</summary>
    /// <exception cref="Exception">What the secret provider threw (or <see cref="TimeoutException"/>), now or within the failure window.</exception>
    public ValueTask<WebhookSourceVerifier> GetAsync(WebhookSource source, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();

        // Every request comes here: a cached verifier is found without a lock.
        if (_slots.TryGetValue(source.Name, out Slot? cached) && cached.Verifier is { } ready && (cached.ExpiresAt is not { } until || now < until))
        {
            return ValueTask.FromResult(ready);
        }

        TaskCompletionSource<WebhookSourceVerifier> loading;
        long version;
        lock (_gate)
        {
            if (_slots.TryGetValue(source.Name, out Slot? slot))
            {
                if (slot.Verifier is { } verifier && (slot.ExpiresAt is not { } expires || now < expires))
                {
                    return ValueTask.FromResult(verifier);
                }

                if (slot.Failure is { } failure && now < slot.FailedUntil)
                {
                    return ValueTask.FromException<WebhookSourceVerifier>(failure);
                }

                if (slot.Loading is { } inFlight)
                {
                    return new ValueTask<WebhookSourceVerifier>(inFlight.WaitAsync(cancellationToken));
                }
            }

            loading = new TaskCompletionSource<WebhookSourceVerifier>(TaskCreationOptions.RunContinuationsAsynchronously);
            _slots[source.Name] = new Slot { Loading = loading.Task };
            version = _version;
        }

        // The lookup is shared by every caller, so no caller's cancellation may stop it: it has its own time limit. It runs
        // outside the lock: a provider that blocks holds up only the callers that need its answer.
        _ = LoadAsync(source, version, loading);
        return new ValueTask<WebhookSourceVerifier>(loading.Task.IsCompleted ? loading.Task : loading.Task.WaitAsync(cancellationToken));
    }

    private async Task LoadAsync(WebhookSource source, long version, TaskCompletionSource<WebhookSourceVerifier> loading)
    {
        WebhookReceiverOptions settings = _receiverOptions.CurrentValue;
        try
        {
            IReadOnlyList<WebhookSecret> secrets;
            using (var timeout = new CancellationTokenSource(settings.SecretLookupTimeout, _timeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposed.Token))
            {
                try
                {
                    secrets = await _provider.GetSecretsAsync(source, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException($"The secret provider did not answer for source '{source.Name}' within {settings.SecretLookupTimeout}.", ex);
                }
            }

            var verifier = new WebhookSourceVerifier(source, [.. secrets ?? []], _sourceOptions.Get(source.Name), _timeProvider);
            DateTimeOffset? expiresAt = _fromOptions ? null : _timeProvider.GetUtcNow() + settings.SecretCacheDuration;
            Store(source.Name, version, new Slot { Verifier = verifier, ExpiresAt = expiresAt });
            loading.SetResult(verifier);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.LookupFailed(_logger, ex, source.Name, settings.SecretFailureCacheDuration);
            Store(source.Name, version, new Slot { Failure = ex, FailedUntil = _timeProvider.GetUtcNow() + settings.SecretFailureCacheDuration });
            loading.SetException(ex);
        }
    }

    private void Store(string name, long version, Slot slot)
    {
        lock (_gate)
        {
            // A reload while the lookup ran makes its answer stale: the next caller looks up again.
            if (version == _version)
            {
                _slots[name] = slot;
            }
        }
    }

    public void Dispose()
    {
        _reload?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private sealed class Slot
    {
        public WebhookSourceVerifier? Verifier { get; init; }

        public DateTimeOffset? ExpiresAt { get; init; }

        public Exception? Failure { get; init; }

        public DateTimeOffset FailedUntil { get; init; }

        public Task<WebhookSourceVerifier>? Loading { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1207, Level = LogLevel.Error, Message = "The secrets of webhook source {Source} could not be read; deliveries to it are answered 503 for {FailureCacheDuration}, then the provider is asked again.")]
        public static partial void LookupFailed(ILogger logger, Exception exception, string source, TimeSpan failureCacheDuration);
    }
}
