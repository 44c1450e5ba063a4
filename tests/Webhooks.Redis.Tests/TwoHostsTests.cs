using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.Redis.Tests;

/// <summary>Two receiver hosts, each with its own connection, on one Redis: every delivery accepted once, every effect once.</summary>
[Collection(RedisServerGroup.Name)]
public sealed class TwoHostsTests(RedisServer redis)
{
    private const string Secret = "two-hosts-secret";

    [Fact]
    public async Task TwoThousandDeliveries_TwentyPercentSentAgainHalfToTheOtherHost_EachAcceptedOnceEachEffectOnce()
    {
        string prefix = "two" + Guid.NewGuid().ToString("N")[..8] + ":";
        var effects = new Effects();
        await using Receiver first = await Receiver.StartAsync(redis.Configuration, prefix, effects);
        await using Receiver second = await Receiver.StartAsync(redis.Configuration, prefix, effects);
        using var processed = new ProcessedSignal(first.Services, second.Services);

        var accepted = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var duplicates = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var random = new Random(2000);
        int[] resend = Enumerable.Range(0, 2000).Where(_ => random.NextDouble() < 0.2).ToArray();
        var sends = new List<(int N, bool ToSecond)>();
        sends.AddRange(Enumerable.Range(0, 2000).Select(n => (n, n % 2 == 1)));
        sends.AddRange(resend.Select((n, i) => (n, i % 2 == 0 ? n % 2 == 0 : n % 2 == 1)));

        await Parallel.ForEachAsync(sends, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (send, token) =>
        {
            Receiver target = send.ToSecond ? second : first;
            using HttpResponseMessage response = await target.Client.SendAsync(WebhookRequests.GitHub(Secret, "push", "{\"n\":" + send.N + "}", "d" + send.N), token);
            var bucket = response.StatusCode == HttpStatusCode.Accepted ? accepted : response.StatusCode == HttpStatusCode.OK ? duplicates : null;
            Assert.NotNull(bucket);
            bucket.AddOrUpdate("github:d" + send.N, 1, static (_, c) => c + 1);
        });

        Assert.Equal(2000, accepted.Count);
        Assert.All(accepted.Values, count => Assert.Equal(1, count));
        Assert.Equal(resend.Length, duplicates.Values.Sum());

        await processed.WaitForAsync(2000, TimeSpan.FromMinutes(2));
        Assert.Equal(2000, (await first.Services.GetRequiredService<IWebhookEventStore>().CountAsync()).Processed);

        Assert.Equal(2000, effects.Calls.Count);
        Assert.All(effects.Calls.Values, count => Assert.Equal(1, count));
        Assert.True(effects.Hosts.Count == 2, "both hosts processed events");
    }

    public sealed class Effects
    {
        public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<int, int> Hosts { get; } = new();
    }

    public sealed class HostId
    {
        private static int _next;

        public int Value { get; } = Interlocked.Increment(ref _next);
    }

    public sealed class EffectHandler(Effects effects, HostId host) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
        {
            effects.Calls.AddOrUpdate(webhookEvent.Id, 1, static (_, c) => c + 1);
            effects.Hosts.AddOrUpdate(host.Value, 1, static (_, c) => c + 1);
            return Task.CompletedTask;
        }
    }

    private sealed class Receiver : IAsyncDisposable
    {
        private Receiver(IHost host)
        {
            Host = host;
            Client = host.GetTestClient();
        }

        public IHost Host { get; }

        public HttpClient Client { get; }

        public IServiceProvider Services => Host.Services;

        public static async Task<Receiver> StartAsync(string redis, string prefix, Effects effects)
        {
            var settings = new Dictionary<string, string?>
            {
                ["Webhooks:GitHub:Secret"] = Secret,
                ["Webhooks:Redis:Configuration"] = redis,
                ["Webhooks:Redis:KeyPrefix"] = prefix,
                ["Webhooks:Processing:PollInterval"] = "00:00:00.050",
            };
            IHost host = new HostBuilder()
                .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
                .ConfigureWebHost(web =>
                {
                    web.UseTestServer();
                    web.ConfigureServices(s =>
                    {
                        s.AddRouting();
                        s.AddSingleton(effects);
                        s.AddSingleton<HostId>();
                        s.AddWebhookReceiver().AddGitHub().AddHandler<EffectHandler>("github", "push").UseRedis();
                    });
                    web.Configure(app => app.UseRouting().UseEndpoints(e => e.MapWebhooks()));
                })
                .Build();
            await host.StartAsync();
            return new Receiver(host);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Host.StopAsync();
            Host.Dispose();
        }
    }
}
