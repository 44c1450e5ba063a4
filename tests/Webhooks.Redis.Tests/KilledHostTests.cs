using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.Redis.Tests;

/// <summary>
/// A receiver process killed with SIGKILL in the middle of a handler: another host finishes the event once the lease has ended,
/// and what the dead process could still have written (its fencing token) is refused.
/// </summary>
[Collection(RedisServerGroup.Name)]
public sealed class KilledHostTests(RedisServer redis)
{
    [Fact]
    public async Task HostKilledMidHandler_AnotherFinishesAfterTheLease_DeadHostsLateWriteRefused()
    {
        string prefix = "kill" + Guid.NewGuid().ToString("N")[..8] + ":";
        int port = FreePort();
        string url = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

        // The sample receiver as its own process: its handlers take ten minutes, its lease is two seconds (renewed while it lives).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using Process victim = StartSampleReceiver(url, redis.Configuration, prefix, started);
        long deadToken;
        try
        {
            using var client = new HttpClient();
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using HttpResponseMessage accepted = await client.SendAsync(WebhookRequests.GitHub("dev-github-secret", "push", "{\"ref\":\"refs/heads/main\"}", "killed-1", url + "/webhooks/github"));
            Assert.Equal(202, (int)accepted.StatusCode);

            var store = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = prefix });
            await WaitForEventAsync(prefix, store, "github:killed-1", WebhookEventStatus.Processing);
            var keys = new RedisKeys(prefix, 16);
            deadToken = (long)await redis.Connection.GetDatabase().HashGetAsync(keys.Key(keys.PartitionOf("github:killed-1"), "evt:github:killed-1"), "tok");

            victim.Kill(entireProcessTree: true);
            await victim.WaitForExitAsync();
        }
        finally
        {
            if (!victim.HasExited)
            {
                victim.Kill(entireProcessTree: true);
            }
        }

        // Another host takes the event over once the dead process's lease has run out, and finishes it.
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:Redis:Configuration"] = redis.Configuration,
            ["Webhooks:Redis:KeyPrefix"] = prefix,
            ["Webhooks:Processing:PollInterval"] = "00:00:00.100",
        };
        var calls = new Calls();
        using IHost survivor = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureServices(s =>
            {
                s.AddSingleton(calls);
                s.AddWebhookReceiver().AddHandler<CountingHandler>("github", "push").UseRedis();
            })
            .Build();
        using var processed = new ProcessedSignal(survivor.Services);
        await survivor.StartAsync();
        IWebhookEventStore shared = survivor.Services.GetRequiredService<IWebhookEventStore>();
        await processed.WaitForAsync(1, TimeSpan.FromSeconds(60));
        // The killed host's attempt was interrupted: taken over without counting it.
        WebhookEventSummary done = (await shared.GetAsync("github:killed-1"))!;
        Assert.Equal(1, done.Attempts);
        Assert.Equal(1, calls.Count);

        // (A processed event keeps no token: the survivor's greater one went with its completion.)
        // The dead process's late writes, made with its token: every one refused, nothing changed.
        long stale = deadToken;
        Assert.False(await shared.CompleteAsync("github:killed-1", stale, unhandled: false));
        Assert.False(await shared.FailAsync("github:killed-1", stale, "late", retryDelay: null));
        Assert.False(await shared.ReleaseAsync("github:killed-1", stale));
        Assert.False(await shared.RenewAsync("github:killed-1", stale, TimeSpan.FromMinutes(1)));
        Assert.Equal(WebhookEventStatus.Processed, (await shared.GetAsync("github:killed-1"))!.Status);
        await survivor.StopAsync();
    }

    [Fact]
    public async Task SampleKilledMidHandlersWithAFiveSecondLease_RestartedAllProcessedWithin15SecondsNoAttemptUsed()
    {
        string prefix = "kill5" + Guid.NewGuid().ToString("N")[..8] + ":";
        string url = "http://127.0.0.1:" + FreePort().ToString(CultureInfo.InvariantCulture);
        var store = new RedisEventStore(redis.Connection, new WebhookRedisOptions { KeyPrefix = prefix });

        // Sixteen workers whose handlers take three seconds: killed while each is in the middle of one.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (Process victim = StartSample(url, prefix, started, "3000"))
        {
            try
            {
                await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
                using var client = new HttpClient();
                for (int i = 0; i < 200; i++)
                {
                    string body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + i.ToString("x40", CultureInfo.InvariantCulture) + "\"}";
                    using HttpResponseMessage accepted = await client.SendAsync(WebhookRequests.GitHub("dev-github-secret", "push", body, "k5-" + i, url + "/webhooks/github"));
                    Assert.Equal(202, (int)accepted.StatusCode);
                }

                var watch = Stopwatch.StartNew();
                while ((await store.CountAsync()).Processing < 16)
                {
                    Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the sample's workers never all took an event");
                    await Task.Delay(20);
                }
            }
            finally
            {
                victim.Kill(entireProcessTree: true);
                await victim.WaitForExitAsync();
            }
        }

        // Started again (fast handlers now): every event processed within 15 s, each at its first attempt, nothing failed as busy.
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using Process again = StartSample(url, prefix, restarted, "20");
        try
        {
            await restarted.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var sinceRestart = Stopwatch.StartNew();
            while ((await store.CountAsync()).Processed < 200)
            {
                Assert.True(sinceRestart.Elapsed < TimeSpan.FromSeconds(15), $"only {(await store.CountAsync()).Processed} of 200 processed 15 s after the restart");
                await Task.Delay(50);
            }

            for (int i = 0; i < 200; i++)
            {
                WebhookEventSummary e = (await store.GetAsync("github:k5-" + i))!;
                Assert.Equal((WebhookEventStatus.Processed, 1, (string?)null), (e.Status, e.Attempts, e.LastError));
            }
        }
        finally
        {
            again.Kill(entireProcessTree: true);
            await again.WaitForExitAsync();
        }
    }

    private Process StartSample(string url, string prefix, TaskCompletionSource started, string workDelayMs) =>
        SampleProcess.Start(
            "WebhookReceiver",
            line =>
            {
                if (line.Contains("Application started", StringComparison.Ordinal))
                {
                    started.TrySetResult();
                }
            },
            "--urls", url, "--environment", "Development", "--redis", redis.Configuration, "--Webhooks:Redis:KeyPrefix", prefix,
            "--Sample:WorkDelayMs", workDelayMs, "--Webhooks:Processing:LeaseDuration", "00:00:05", "--Webhooks:Processing:Concurrency", "16",
            "--Webhooks:Processing:PollInterval", "00:00:00.200");

    public sealed class Calls
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    public sealed class CountingHandler(Calls calls) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
        {
            calls.Add();
            return Task.CompletedTask;
        }
    }

    /// <summary>Waits until the event has a status, checked at every change of its key (a keyspace notification), not by polling.</summary>
    private async Task WaitForEventAsync(string prefix, IWebhookEventStore store, string id, WebhookEventStatus status)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task CheckAsync()
        {
            if ((await store.GetAsync(id))?.Status == status)
            {
                reached.TrySetResult();
            }
        }

        var keys = new RedisKeys(prefix, 16);
        StackExchange.Redis.RedisChannel channel = StackExchange.Redis.RedisChannel.Literal("__keyspace@0__:" + (string)keys.Key(keys.PartitionOf(id), "evt:" + id)!);
        StackExchange.Redis.ISubscriber subscriber = redis.Connection.GetSubscriber();
        await subscriber.SubscribeAsync(channel, (_, _) => _ = CheckAsync());
        try
        {
            await CheckAsync();
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await subscriber.UnsubscribeAsync(channel);
        }
    }

    private static Process StartSampleReceiver(string url, string redis, string prefix, TaskCompletionSource started) =>
        // The host says when it listens: wait for that line rather than trying requests until one works.
        SampleProcess.Start(
            "WebhookReceiver",
            line =>
            {
                if (line.Contains("Application started", StringComparison.Ordinal))
                {
                    started.TrySetResult();
                }
            },
            "--urls", url, "--environment", "Development", "--redis", redis, "--Webhooks:Redis:KeyPrefix", prefix,
            "--Sample:WorkDelayMs", "600000", "--Webhooks:Processing:LeaseDuration", "00:00:02");

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
