using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.PostgreSql.Tests;

/// <summary>
/// A receiver on PostgreSQL as an application configures it: <c>UsePostgreSql()</c> from <c>Webhooks:PostgreSql</c>, the schema
/// migrated at start-up (or its version checked), deliveries saved and processed, two hosts sharing one database, bodies of
/// 25 MiB byte-exact, the health check, and an outage answered 503 and recovered from.
/// </summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class UsePostgreSqlTests(PostgreSqlServer server)
{
    private const string Secret = "pg-github-secret";

    [Fact]
    public async Task Receiver_MigratesAtStartUp_SavesProcessesAndRecognisesDuplicates()
    {
        string schema = "r" + Guid.NewGuid().ToString("N")[..12];
        var calls = new ConcurrentDictionary<string, int>();
        using IHost host = await StartAsync(server.ConnectionString, schema, calls);
        HttpClient client = host.GetTestClient();

        using HttpResponseMessage first = await client.SendAsync(WebhookRequests.GitHub(Secret, "push", """{"ref":"refs/heads/main"}""", "pg-1"));
        using HttpResponseMessage again = await client.SendAsync(WebhookRequests.GitHub(Secret, "push", """{"ref":"refs/heads/main"}""", "pg-1"));
        Assert.Equal(202, (int)first.StatusCode);
        Assert.Equal(200, (int)again.StatusCode);

        IWebhookEventStore store = host.Services.GetRequiredService<IWebhookEventStore>();
        Assert.IsType<PostgreSqlEventStore>(store);
        await WaitForAsync(async () => (await store.GetAsync("github:pg-1"))?.Status == WebhookEventStatus.Processed);
        Assert.Equal(1, calls["github:pg-1"]);

        HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal(WebhookPostgreSqlSchema.Version, health.Entries["webhooks-postgresql"].Data["schemaVersion"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Migration_RunTwiceAndConcurrently_AppliedOnce()
    {
        string schema = "m" + Guid.NewGuid().ToString("N")[..12];
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => WebhookPostgreSqlSchema.MigrateAsync(server.DataSource, schema)));
        await WebhookPostgreSqlSchema.MigrateAsync(server.DataSource, schema);
        using NpgsqlCommand script = server.DataSource.CreateCommand(WebhookPostgreSqlSchema.GetScript(schema));
        await script.ExecuteNonQueryAsync();

        using NpgsqlCommand versions = server.DataSource.CreateCommand($"SELECT count(*) FROM {schema}.schema_version");
        Assert.Equal(1L, await versions.ExecuteScalarAsync());
        Assert.Throws<ArgumentException>(() => WebhookPostgreSqlSchema.GetScript("Webhooks; DROP TABLE x"));
    }

    [Fact]
    public async Task MigrateOnStartOff_WithoutTables_StartUpFailsNamingTheScript()
    {
        string schema = "n" + Guid.NewGuid().ToString("N")[..12];
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(server.ConnectionString, schema, new(), migrate: false));
        Assert.Contains("GetScript", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoHosts_OneDatabase_EachDeliveryProcessedOnce_BothWork()
    {
        string schema = "h" + Guid.NewGuid().ToString("N")[..12];
        var calls = new ConcurrentDictionary<string, int>();
        var hosts = new ConcurrentDictionary<string, string>();
        using IHost a = await StartAsync(server.ConnectionString, schema, calls, hosts, "a");
        using IHost b = await StartAsync(server.ConnectionString, schema, calls, hosts, "b");
        HttpClient[] clients = [a.GetTestClient(), b.GetTestClient()];
        const int Deliveries = 300;
        await Parallel.ForAsync(0, Deliveries, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            string body = "{\"n\":" + i + ",\"pad\":\"" + new string('x', 2000) + "\"}";
            using HttpResponseMessage sent = await clients[i % 2].SendAsync(WebhookRequests.GitHub(Secret, "push", body, "two-" + i), ct);
            Assert.Equal(202, (int)sent.StatusCode);
            if (i % 5 == 0)
            {
                // Sent again to the other host: a duplicate there.
                using HttpResponseMessage again = await clients[(i + 1) % 2].SendAsync(WebhookRequests.GitHub(Secret, "push", body, "two-" + i), ct);
                Assert.Equal(200, (int)again.StatusCode);
            }
        });

        IWebhookEventStore store = a.Services.GetRequiredService<IWebhookEventStore>();
        await WaitForAsync(async () => (await store.CountAsync()).Processed == Deliveries);
        Assert.Equal(Deliveries, calls.Count);
        Assert.All(calls, c => Assert.Equal(1, c.Value));
        Assert.Equal(["a", "b"], hosts.Values.Distinct().Order());
        await a.StopAsync();
        await b.StopAsync();
    }

    [Fact]
    public async Task Body25MiB_RoundTripsByteExact_ThroughReadAndClaim()
    {
        var store = new PostgreSqlEventStore(server.DataSource, server.NewSchema());
        byte[] body = new byte[25 * 1024 * 1024];
        new Random(25).NextBytes(body);
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(WebhookEvent.Create("github", "big", "push", new Dictionary<string, string>(), body, DateTimeOffset.UtcNow)));
        Assert.Equal(body, (await store.ReadAsync("github:big"))!.Body.ToArray());
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, TimeSpan.FromMinutes(1)));
        Assert.Equal(body, claim.Event.Body.ToArray());
        Assert.Equal(body.Length, (await store.GetAsync("github:big"))!.BodyLength);
    }

    [Fact]
    public async Task DatabaseDown_Deliveries503AndNothingLost_ProcessedOnceItIsBack()
    {
        await using var own = new PostgreSqlServer();
        await own.InitializeAsync();
        string schema = "o" + Guid.NewGuid().ToString("N")[..12];
        var calls = new ConcurrentDictionary<string, int>();
        // A short lease: an attempt whose completion the outage cut off is claimed again soon after.
        using IHost host = await StartAsync(own.ConnectionString, schema, calls, lease: "00:00:02");
        HttpClient client = host.GetTestClient();
        using HttpResponseMessage before = await client.SendAsync(WebhookRequests.GitHub(Secret, "push", """{"n":1}""", "out-1"));
        Assert.Equal(202, (int)before.StatusCode);

        await own.StopAsync();
        using HttpResponseMessage during = await client.SendAsync(WebhookRequests.GitHub(Secret, "push", """{"n":2}""", "out-2"));
        Assert.Equal(503, (int)during.StatusCode);
        Assert.True(during.Headers.RetryAfter is not null);
        Assert.Contains("store_unavailable", await during.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await own.StartAsync();
        NpgsqlConnection.ClearAllPools();
        using HttpResponseMessage retried = await client.SendAsync(WebhookRequests.GitHub(Secret, "push", """{"n":2}""", "out-2"));
        Assert.Equal(202, (int)retried.StatusCode);
        IWebhookEventStore store = host.Services.GetRequiredService<IWebhookEventStore>();
        await WaitForAsync(async () => (await store.CountAsync()).Processed == 2);

        // The first may have run twice: its handler finished, but its completion could not be written while the database was down.
        Assert.InRange(calls["github:out-1"], 1, 2);
        Assert.Equal(1, calls["github:out-2"]);
        await host.StopAsync();
    }

    private static async Task<IHost> StartAsync(string connectionString, string schema, ConcurrentDictionary<string, int> calls, ConcurrentDictionary<string, string>? hosts = null, string name = "a", bool migrate = true, string lease = "00:01:00")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:GitHub:Secret"] = Secret,
            ["Webhooks:GitHub:DeduplicateByBody"] = "false",
            ["Webhooks:PostgreSql:ConnectionString"] = connectionString,
            ["Webhooks:PostgreSql:Schema"] = schema,
            ["Webhooks:PostgreSql:MigrateOnStart"] = migrate ? "true" : "false",
            ["Webhooks:Processing:PollInterval"] = "00:00:00.050",
            ["Webhooks:Processing:LeaseDuration"] = lease,
        };
        IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddSingleton(new Calls(calls, hosts ?? new(), name));
                    s.AddHealthChecks().AddWebhookPostgreSql();
                    s.AddWebhookReceiver().AddGitHub().UsePostgreSql().AddHandler<CountingHandler>("github", "*");
                })
                .Configure(app => app.UseRouting().UseEndpoints(e => e.MapWebhooks())))
            .Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    /// <summary>Waits for a condition that processing makes true, looked at again at each outcome the dispatchers count; fails after 20 seconds.</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var outcomes = new Outcomes();
        Assert.True(await outcomes.WaitUntilAsync(condition), "processing did not finish within 20 seconds");
    }

    private sealed record Calls(ConcurrentDictionary<string, int> Counts, ConcurrentDictionary<string, string> Hosts, string Host);

    private sealed class CountingHandler(Calls calls) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
        {
            calls.Counts.AddOrUpdate(webhookEvent.Id, 1, static (_, n) => n + 1);
            calls.Hosts[webhookEvent.Id] = calls.Host;
            return Task.CompletedTask;
        }
    }
}
