using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.Redis.Tests;

/// <summary>
/// Redis killed while deliveries arrive, then restarted from its append-only file: while it is down every delivery gets 503 with
/// Retry-After and none gets a 2xx; everything acknowledged before is still there afterwards, and processing resumes by itself.
/// </summary>
public sealed class RedisOutageTests
{
    private const string Secret = "outage-secret";

    [Fact]
    public async Task RedisKilledMidStream_503WithRetryAfter_NothingAcknowledgedLost_ProcessingResumes()
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("webhooks-redis-aof-").FullName;
        try
        {
            await RunAsync(directory);
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunAsync(string directory)
    {
        string[] durable = ["--appendonly", "yes", "--appendfsync", "always", "--notify-keyspace-events", "Kh"];
        int port;
        await using (RedisProcess probe = RedisProcess.Start())
        {
            port = probe.Port;
        }

        RedisProcess server = RedisProcess.StartAt(port, directory, durable);
        await server.Ready;

        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:GitHub:Secret"] = Secret,
            ["Webhooks:Redis:Configuration"] = server.Endpoint + ",connectTimeout=500,asyncTimeout=1000,syncTimeout=1000",
            ["Webhooks:StoreTimeout"] = "00:00:02",
            ["Webhooks:Processing:PollInterval"] = "00:00:00.100",
            ["Webhooks:Processing:MaxStoreBackoff"] = "00:00:00.500",

            // An event claimed when Redis died stays claimed until its lease ends: keep that short here.
            ["Webhooks:Processing:LeaseDuration"] = "00:00:02",
        };
        using IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureWebHost(web =>
            {
                web.UseTestServer();
                web.ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddWebhookReceiver().AddGitHub().UseRedis();
                });
                web.Configure(app => app.UseRouting().UseEndpoints(e => e.MapWebhooks()));
            })
            .Build();
        await host.StartAsync();
        HttpClient client = host.GetTestClient();
        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        var refused = new List<int>();

        async Task<HttpResponseMessage> SendAsync(int n) =>
            await client.SendAsync(WebhookRequests.GitHub(Secret, "push", "{\"n\":" + n.ToString(CultureInfo.InvariantCulture) + "}", "o" + n.ToString(CultureInfo.InvariantCulture)));

        try
        {
            // The connection is made on first use (a half-second connect timeout): on a busy machine the first delivery may meet
            // it still connecting and get 503, which its sender would retry. Once one is taken, every other must be.
            DateTime connected = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                using HttpResponseMessage first = await SendAsync(0);
                if (first.StatusCode == HttpStatusCode.Accepted)
                {
                    break;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
                Assert.True(DateTime.UtcNow < connected, "the first delivery still refused 30 s after the host started");
                await Task.Delay(100);
            }

            acknowledged.Add("github:o0");
            for (int n = 1; n < 40; n++)
            {
                using HttpResponseMessage response = await SendAsync(n);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                acknowledged.Add("github:o" + n);
            }

            await server.KillAsync();
            for (int n = 40; n < 50; n++)
            {
                using HttpResponseMessage response = await SendAsync(n);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Contains("store_unavailable", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                refused.Add(n);
            }

            // Back from its append-only file: the refused deliveries, sent again as their sender would (after Retry-After, until
            // taken), are taken once the host's connection is back by itself, and what was acknowledged before is still there.
            // Only a 503 may come while it reconnects; the connection must be back within a minute.
            await server.DisposeAsync();
            server = RedisProcess.StartAt(port, directory, durable);
            await server.Ready;
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            foreach (int n in refused)
            {
                while (true)
                {
                    using HttpResponseMessage response = await SendAsync(n);
                    if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
                    {
                        break;
                    }

                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Assert.True(DateTime.UtcNow < deadline, $"o{n}: still refused a minute after Redis came back");
                    await Task.Delay(100);
                }

                acknowledged.Add("github:o" + n);
            }

            // Wait for the store to say that all are processed: checked at every change of an event (a keyspace notification), since
            // a completion written just before the kill may have lost only its answer, and no counter in the host would see it.
            IWebhookEventStore store = host.Services.GetRequiredService<IWebhookEventStore>();
            var allProcessed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            async Task CheckAsync()
            {
                if ((await store.CountAsync()).Processed >= acknowledged.Count)
                {
                    allProcessed.TrySetResult();
                }
            }

            await using StackExchange.Redis.ConnectionMultiplexer watcher = await RedisServer.ConnectAsync(server);
            await watcher.GetSubscriber().SubscribeAsync(
                StackExchange.Redis.RedisChannel.Pattern("__keyspace@0__:*evt:*"),
                (_, _) => _ = CheckAsync());
            await CheckAsync();
            await allProcessed.Task.WaitAsync(TimeSpan.FromMinutes(2));

            foreach (string id in acknowledged)
            {
                Assert.Equal(WebhookEventStatus.Processed, (await store.GetAsync(id))?.Status);
            }

            Assert.Equal(50, acknowledged.Count);
        }
        finally
        {
            await host.StopAsync();
            await server.DisposeAsync();
        }
    }
}
