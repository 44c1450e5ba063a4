using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.PostgreSql.Tests;

/// <summary>
/// A handler's writes through <see cref="WebhookPostgreSqlTransaction"/> commit with the record of its success or not at all: a
/// handler that fails after writing leaves no effect and runs again; once it succeeded, a retry of the event (another handler
/// failed) does not run it again; outside a dispatcher's run it refuses.
/// </summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class TransactionalHandlerTests(PostgreSqlServer server)
{
    private const string Secret = "tx-secret";

    [Fact]
    public async Task WritesCommitWithTheHandlersSuccess_FailuresLeaveNoEffect_NoSecondEffectOnRetry()
    {
        string schema = "x" + Guid.NewGuid().ToString("N")[..12];
        var flaky = new Flaky();
        using var outcomes = new Outcomes();
        using IHost host = await StartAsync(schema, flaky);
        using (NpgsqlCommand table = server.DataSource.CreateCommand($"CREATE TABLE {schema}_payments (event_id text PRIMARY KEY, amount int NOT NULL)"))
        {
            await table.ExecuteNonQueryAsync();
        }

        using HttpResponseMessage sent = await host.GetTestClient().SendAsync(WebhookRequests.GitHub(Secret, "push", """{"amount":42}""", "tx-1"));
        Assert.Equal(202, (int)sent.StatusCode);

        IWebhookEventStore store = host.Services.GetRequiredService<IWebhookEventStore>();
        Assert.True(await outcomes.WaitUntilAsync(async () => (await store.GetAsync("github:tx-1"))?.Status == WebhookEventStatus.Processed), "not processed within 20 seconds");

        // The payment handler wrote twice and failed after writing (rolled back), then succeeded; the audit handler failed
        // twice more, and those retries did not run the payment handler again.
        Assert.Equal(3, flaky.PaymentRuns);
        Assert.Equal(4, flaky.AuditRuns);
        using NpgsqlCommand count = server.DataSource.CreateCommand($"SELECT count(*), sum(amount) FROM {schema}_payments");
        await using NpgsqlDataReader reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.Equal(42L, reader.GetInt64(1));
        await host.StopAsync();
    }

    [Fact]
    public async Task OutsideAHandlerRun_Refuses()
    {
        string schema = "y" + Guid.NewGuid().ToString("N")[..12];
        using IHost host = await StartAsync(schema, new Flaky());
        using IServiceScope scope = host.Services.CreateScope();
        WebhookPostgreSqlTransaction transaction = scope.ServiceProvider.GetRequiredService<WebhookPostgreSqlTransaction>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => transaction.RunAsync((_, _, _) => Task.CompletedTask, CancellationToken.None));
        await host.StopAsync();
    }

    private async Task<IHost> StartAsync(string schema, Flaky flaky)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:GitHub:Secret"] = Secret,
            ["Webhooks:PostgreSql:ConnectionString"] = server.ConnectionString,
            ["Webhooks:PostgreSql:Schema"] = schema,
            ["Webhooks:Processing:PollInterval"] = "00:00:00.020",
            ["Webhooks:Retry:BaseDelay"] = "00:00:00.010",
            ["Webhooks:Retry:MaxDelay"] = "00:00:00.020",
            ["Webhooks:Retry:UseJitter"] = "false",
        };
        IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddSingleton(flaky);
                    s.AddSingleton(new Table(schema + "_payments"));
                    s.AddWebhookReceiver().AddGitHub().UsePostgreSql()
                        .AddHandler<PaymentHandler>("github", "push")
                        .AddHandler<AuditHandler>("github", "push");
                })
                .Configure(app => app.UseRouting().UseEndpoints(e => e.MapWebhooks())))
            .Build();
        await host.StartAsync();
        return host;
    }

    private sealed record Table(string Name);

    private sealed class Flaky
    {
        private int _payment;
        private int _audit;

        public int PaymentRuns => Volatile.Read(ref _payment);

        public int AuditRuns => Volatile.Read(ref _audit);

        public int NextPayment() => Interlocked.Increment(ref _payment);

        public int NextAudit() => Interlocked.Increment(ref _audit);
    }

    /// <summary>Records the payment in the database, exactly once; fails after writing on its first two runs.</summary>
    private sealed class PaymentHandler(WebhookPostgreSqlTransaction transaction, Flaky flaky, Table table) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) =>
            transaction.RunAsync(async (connection, tx, ct) =>
            {
                using var insert = new NpgsqlCommand($"INSERT INTO {table.Name} (event_id, amount) VALUES ($1, 42)", connection, tx);
                insert.Parameters.Add(new NpgsqlParameter { Value = webhookEvent.Id });
                await insert.ExecuteNonQueryAsync(ct);
                if (flaky.NextPayment() <= 2)
                {
                    throw new InvalidOperationException("failed after writing");
                }
            }, cancellationToken);
    }

    /// <summary>Fails on its first three runs: the event is retried after the payment handler succeeded.</summary>
    private sealed class AuditHandler(Flaky flaky) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) =>
            flaky.NextAudit() <= 3 ? throw new InvalidOperationException("audit store down") : Task.CompletedTask;
    }
}
