using System;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;
using Npgsql;
using Webhooks.Redis.Tests;
using Webhooks.Testing;

namespace Webhooks.PostgreSql.Tests;

/// <summary>
/// The sample receiver on PostgreSQL, run as a process of its own and killed with SIGKILL around the commit of its payment
/// ledger (a handler whose write commits with the record of its success): killed between the write and the commit, the payment
/// is not there and the event is processed by the next process, which writes it once; killed after the commit (while a later
/// handler runs), the payment is there once, and the next process finishes the event without writing it again.
/// </summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class KilledHostTests(PostgreSqlServer server)
{
    private const string StripeSecret = "whsec_dev_stripe_secret";

    [Fact]
    public async Task KilledBetweenWriteAndCommit_NoEffect_EventRetriedAndWrittenOnce()
    {
        string schema = "k" + Guid.NewGuid().ToString("N")[..12];
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (Process first, string url) = await StartSampleAsync(schema, commitDelayMs: 60_000, workDelayMs: 0, line =>
        {
            if (line.Contains("written, not yet committed", StringComparison.Ordinal))
            {
                written.TrySetResult();
            }
        });
        string id = await SendPaymentAsync(url);
        await written.Task.WaitAsync(TimeSpan.FromSeconds(30));
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        first.Dispose();

        Assert.Equal(0, await PaymentsAsync(schema));
        (Process second, _) = await StartSampleAsync(schema, commitDelayMs: 0, workDelayMs: 0, null);
        try
        {
            await WaitProcessedAsync(schema, id);
            Assert.Equal(1, await PaymentsAsync(schema));
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
            second.Dispose();
        }
    }

    [Fact]
    public async Task KilledAfterTheCommit_EffectOnce_EventProcessedWithoutWritingAgain()
    {
        string schema = "k" + Guid.NewGuid().ToString("N")[..12];
        (Process first, string url) = await StartSampleAsync(schema, commitDelayMs: 0, workDelayMs: 60_000, null);
        string id = await SendPaymentAsync(url);

        // The ledger committed; the logging handler after it is still waiting, so the event is not complete.
        var clock = Stopwatch.StartNew();
        while (await PaymentsAsync(schema) == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the payment was not committed within 30 seconds");
            await Task.Delay(20);
        }

        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        first.Dispose();
        var store = new PostgreSqlEventStore(server.DataSource, schema);
        Assert.Equal(WebhookEventStatus.Processing, (await store.GetAsync(id))!.Status);

        (Process second, _) = await StartSampleAsync(schema, commitDelayMs: 0, workDelayMs: 0, null);
        try
        {
            await WaitProcessedAsync(schema, id);
            Assert.Equal(1, await PaymentsAsync(schema));
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
            second.Dispose();
        }
    }

    private async Task<(Process Process, string Url)> StartSampleAsync(string schema, int commitDelayMs, int workDelayMs, Action<string>? onOutput)
    {
        string url = "http://127.0.0.1:" + FreePort();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string connection = server.ConnectionString + ";Search Path=" + schema;
        Process process = SampleProcess.Start(
            "WebhookReceiver",
            line =>
            {
                if (line.Contains("Application started", StringComparison.Ordinal))
                {
                    started.TrySetResult();
                }

                onOutput?.Invoke(line);
            },
            "--urls", url, "--environment", "Development", "--postgres", connection, "--Webhooks:PostgreSql:Schema", schema,
            "--Sample:CommitDelayMs", commitDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Sample:WorkDelayMs", workDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Webhooks:Processing:LeaseDuration", "00:00:03", "--Webhooks:Processing:PollInterval", "00:00:00.100",
            "--Logging:LogLevel:WebhookReceiver", "Information");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (process, url);
    }

    private static async Task<string> SendPaymentAsync(string url)
    {
        string eventId = "evt_" + Guid.NewGuid().ToString("N")[..24];
        string body = WebhookRequests.StripeEvent("payment_intent.succeeded", eventId, """{"id":"pi_kill","object":"payment_intent","amount":4200,"currency":"eur"}""");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        using HttpResponseMessage response = await client.SendAsync(WebhookRequests.Stripe(StripeSecret, body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return "stripe:" + eventId;
    }

    private async Task WaitProcessedAsync(string schema, string id)
    {
        var store = new PostgreSqlEventStore(server.DataSource, schema);
        var clock = Stopwatch.StartNew();
        while ((await store.GetAsync(id))?.Status != WebhookEventStatus.Processed)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the event was not processed within 60 seconds");
            await Task.Delay(50);
        }
    }

    private async Task<long> PaymentsAsync(string schema)
    {
        using NpgsqlCommand count = server.DataSource.CreateCommand($"SELECT count(*) FROM {schema}.sample_payments");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
