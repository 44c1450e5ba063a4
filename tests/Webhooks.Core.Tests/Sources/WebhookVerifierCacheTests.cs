using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Providers;
using Webhooks.Signatures;
using Webhooks.Sources;

namespace Webhooks.Tests.Sources;

public class WebhookVerifierCacheTests
{
    private static readonly WebhookSource GitHub = new("github", new GitHubProvider(), "GitHub");

    [Fact]
    public async Task ManyConcurrentRequests_OneLookup_AllGetTheSameVerifier()
    {
        var vault = new GatedVault();
        (WebhookVerifierCache cache, _, _) = Build(vault);
        for (int round = 0; round < 20; round++)
        {
            cache.Invalidate();
            vault.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            vault.Called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            int before = vault.Calls;
            Task<WebhookSourceVerifier>[] waiting = Enumerable.Range(0, 64)
                .Select(_ => Task.Run(async () => await cache.GetAsync(GitHub, CancellationToken.None)))
                .ToArray();

            // Every caller has either joined the one lookup or is about to: none may start another.
            await vault.Called.Task.WaitAsync(TimeSpan.FromSeconds(60));
            vault.Gate.SetResult();
            WebhookSourceVerifier[] verifiers = await Task.WhenAll(waiting);
            Assert.Equal(before + 1, vault.Calls);
            Assert.All(verifiers, v => Assert.Same(verifiers[0], v));
        }
    }

    [Fact]
    public async Task FailedLookup_RememberedForTheFailureWindow_ThenAskedAgain()
    {
        var vault = new GatedVault { Fail = true };
        vault.Gate.SetResult();
        (WebhookVerifierCache cache, FakeTimeProvider clock, _) = Build(vault, failureWindow: TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<TimeoutException>(async () => await cache.GetAsync(GitHub, CancellationToken.None));
        Assert.Equal(1, vault.Calls);
        for (int i = 0; i < 100; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(async () => await cache.GetAsync(GitHub, CancellationToken.None));
        }

        Assert.Equal(1, vault.Calls);
        vault.Fail = false;
        clock.Advance(TimeSpan.FromSeconds(4.9));
        await Assert.ThrowsAsync<TimeoutException>(async () => await cache.GetAsync(GitHub, CancellationToken.None));
        Assert.Equal(1, vault.Calls);

        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.True((await cache.GetAsync(GitHub, CancellationToken.None)).HasSecrets);
        Assert.Equal(2, vault.Calls);
    }

    [Fact]
    public async Task HungLookup_TimesOutOnTheClock_AndACallerMayStopWaitingEarlier()
    {
        var vault = new GatedVault();
        (WebhookVerifierCache cache, FakeTimeProvider clock, _) = Build(vault, lookupTimeout: TimeSpan.FromSeconds(10));

        using var impatient = new CancellationTokenSource();
        ValueTask<WebhookSourceVerifier> first = cache.GetAsync(GitHub, impatient.Token);
        ValueTask<WebhookSourceVerifier> second = cache.GetAsync(GitHub, CancellationToken.None);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first);
        Assert.False(second.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<TimeoutException>(async () => await second);
        Assert.Equal(1, vault.Calls);
    }

    [Fact]
    public async Task CustomProvider_CachedForTheCacheDuration()
    {
        var vault = new GatedVault();
        vault.Gate.SetResult();
        (WebhookVerifierCache cache, FakeTimeProvider clock, _) = Build(vault, cacheDuration: TimeSpan.FromMinutes(5));
        WebhookSourceVerifier first = await cache.GetAsync(GitHub, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Same(first, await cache.GetAsync(GitHub, CancellationToken.None));
        Assert.Equal(1, vault.Calls);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.NotSame(first, await cache.GetAsync(GitHub, CancellationToken.None));
        Assert.Equal(2, vault.Calls);
    }

    private static (WebhookVerifierCache Cache, FakeTimeProvider Clock, IServiceProvider Services) Build(
        GatedVault vault,
        TimeSpan? failureWindow = null,
        TimeSpan? lookupTimeout = null,
        TimeSpan? cacheDuration = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IWebhookSecretProvider>(vault);
        services.AddWebhookReceiver(o =>
        {
            o.SecretFailureCacheDuration = failureWindow ?? TimeSpan.FromSeconds(5);
            o.SecretLookupTimeout = lookupTimeout ?? TimeSpan.FromSeconds(10);
            o.SecretCacheDuration = cacheDuration ?? TimeSpan.FromMinutes(5);
        }).AddGitHub();
        ServiceProvider provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<WebhookVerifierCache>(), clock, provider);
    }

    private sealed class GatedVault : IWebhookSecretProvider
    {
        private int _calls;

        public TaskCompletionSource Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completed when the vault is asked, so that a test waits for the lookup instead of polling for it.</summary>
        public TaskCompletionSource Called { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private volatile bool _fail;

        public bool Fail { get => _fail; set => _fail = value; }

        public int Calls => Volatile.Read(ref _calls);

        public async ValueTask<IReadOnlyList<WebhookSecret>> GetSecretsAsync(WebhookSource source, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            Called.TrySetResult();
            await Gate.Task.WaitAsync(cancellationToken);
            if (Fail)
            {
                throw new TimeoutException("vault did not answer");
            }

            return [new WebhookSecret("s3cret")];
        }
    }
}
