using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Sender.Redis.Tests;

/// <summary>
/// The sample sender as its own process, killed with SIGKILL while it sends from a Redis outbox; another process on the same
/// outbox sends the rest, and the receiver (Webhooks.AspNetCore) holds every message once, whatever was sent twice.
/// </summary>
[Collection(SenderRedisGroup.Name)]
public sealed class KilledSenderTests(Webhooks.Redis.Tests.RedisServer redis)
{
    private const string AcmeSecret = "whsec_ZGV2LWFjbWUtc3RhbmRhcmQtd2ViaG9va3Mta2V5ISE=";
    private const int Messages = 400;

    [Fact]
    public async Task SenderKilledMidway_AnotherSendsTheRest_ReceiverHoldsEachMessageOnce()
    {
        string prefix = "ks" + Guid.NewGuid().ToString("N")[..8] + ":";
        int requests = 0;
        using IHost receiver = await StartReceiverAsync(() => Interlocked.Increment(ref requests));
        string url = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/webhooks/acme";
        IWebhookEventStore received = receiver.Services.GetRequiredService<IWebhookEventStore>();

        using (Process victim = StartSample("publish", "--url", url, "--count", Messages.ToString(CultureInfo.InvariantCulture), "--redis", redis.Configuration, "--prefix", prefix, "--attempt-timeout", "1"))
        {
            try
            {
                await PipelineHarness.WaitUntilAsync(() => Volatile.Read(ref requests) >= 40, "the first sender delivered 40 messages");
            }
            finally
            {
                victim.Kill(entireProcessTree: true);
                await victim.WaitForExitAsync();
            }
        }

        long atKill = (await received.CountAsync()).Total;
        Assert.InRange(atKill, 1, Messages - 1);

        // The rescuer's attempts may take 3 s: under a loaded test run, an answer that takes the receiver's 100 ms and more could
        // time out at 1 s, and its retry would then wait for the schedule's next step, past this test's bound.
        using (Process rescuer = StartSample("send", "--redis", redis.Configuration, "--prefix", prefix, "--attempt-timeout", "3"))
        {
            try
            {
                var watch = Stopwatch.StartNew();
                while ((await received.CountAsync()).Total < Messages)
                {
                    Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), $"The receiver holds {(await received.CountAsync()).Total} of {Messages} messages after {Volatile.Read(ref requests)} requests.");
                    await Task.Delay(50);
                }
            }
            finally
            {
                rescuer.Kill(entireProcessTree: true);
                await rescuer.WaitForExitAsync();
            }
        }

        Assert.Equal(Messages, (await received.CountAsync()).Total);
        Assert.True(Volatile.Read(ref requests) >= Messages);
    }

    /// <summary>A receiver whose every answer takes 100 ms, so that the sender is still busy when it is killed.</summary>
    private static async Task<IHost> StartReceiverAsync(Action counted)
    {
        IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?> { ["Webhooks:Sources:acme:Secret"] = AcmeSecret }))
            .ConfigureWebHost(web => web
                .UseKestrel()
                .UseUrls("http://127.0.0.1:0")
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddWebhookReceiver();
                })
                .Configure(app => app
                    .Use(async (context, next) =>
                    {
                        counted();
                        await Task.Delay(100);
                        await next(context);
                    })
                    .UseRouting()
                    .UseEndpoints(e => e.MapWebhooks())))
            .Build();
        await host.StartAsync();
        return host;
    }

    private static Process StartSample(params string[] arguments) => Webhooks.Redis.Tests.SampleProcess.Start("WebhookSender", null, arguments);
}
