using Npgsql;
using StackExchange.Redis;
using Webhooks.PostgreSql;
using Webhooks.Processing;

namespace Webhooks.Chaos;

/// <summary>
/// One receiver of the fleet: GitHub deliveries kept in Redis (<c>--redis</c>), a handler that fails at random (<c>--fail-rate</c>)
/// and otherwise records its effect by incrementing <c>chaos:effect:&lt;event id&gt;</c> in Redis database 1, outside the event
/// store; or kept in PostgreSQL (<c>--postgres</c>), the effect a row of <c>chaos_effects</c> committed with the handler's record.
/// </summary>
internal static class Receiver
{
    /// <summary>The line a receiver writes to standard output once it listens.</summary>
    public const string ReadyLine = "chaos receiver listening";

    public static async Task<int> RunAsync(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Error);
        string? redis = builder.Configuration["redis"];
        string? postgres = builder.Configuration["postgres"];
        if (redis is null == postgres is null)
        {
            throw new InvalidOperationException("Either --redis host:port or --postgres <connection string> is required.");
        }

        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:GitHub:Secret"] = Driver.Secret,
            ["Webhooks:StoreTimeout"] = "00:00:02",
            ["Webhooks:RetryAfter"] = "00:00:01",
            ["Webhooks:Retry:MaxAttempts"] = "50",
            ["Webhooks:Retry:BaseDelay"] = "00:00:00.100",
            ["Webhooks:Retry:MaxDelay"] = "00:00:01",
        });
        builder.Services.AddSingleton(new FailureDice(double.Parse(builder.Configuration["fail-rate"] ?? "0.2", System.Globalization.CultureInfo.InvariantCulture)));
        IWebhookReceiverBuilder receiver = builder.Services.AddWebhookReceiver().AddGitHub();
        if (redis is not null)
        {
            const string Timeouts = ",abortConnect=false,connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000";
            builder.Services.AddSingleton(new Effects(await ConnectionMultiplexer.ConnectAsync(redis + Timeouts)));
            receiver.AddHandler<EffectHandler>("github", "push").UseRedis(redis + Timeouts);
        }
        else
        {
            receiver.AddHandler<TransactionalEffectHandler>("github", "push").UsePostgreSql(postgres!);
        }

        WebApplication app = builder.Build();
        app.MapWebhooks();
        await app.StartAsync();

        // Listening: the driver waits for this line instead of trying requests until one is answered.
        await Console.Out.WriteLineAsync(ReadyLine);
        await Console.Out.FlushAsync();
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Effects are counted in database 1 of the same server, apart from the event store's keys.</summary>
    internal sealed class Effects(ConnectionMultiplexer connection)
    {
        public IDatabase Database { get; } = connection.GetDatabase(1);
    }

    internal sealed class FailureDice(double rate)
    {
        public bool Fails() => Random.Shared.NextDouble() < rate;
    }

    /// <summary>On PostgreSQL: the effect is a row in <c>chaos_effects</c>, written in the transaction that records the handler's success.</summary>
    internal sealed class TransactionalEffectHandler(WebhookPostgreSqlTransaction transaction, FailureDice dice) : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken) =>
            transaction.RunAsync(async (connection, tx, ct) =>
            {
                await Task.Delay(Random.Shared.Next(0, 8), ct);
                using var effect = new NpgsqlCommand(
                    "INSERT INTO chaos_effects (event_id, n) VALUES ($1, 1) ON CONFLICT (event_id) DO UPDATE SET n = chaos_effects.n + 1", connection, tx);
                effect.Parameters.Add(new NpgsqlParameter { Value = webhookEvent.Id });
                await effect.ExecuteNonQueryAsync(ct);

                // A failure after the write: it must be rolled back with the record.
                if (dice.Fails())
                {
                    throw new InvalidOperationException("A chaos failure after the effect's write, retried.");
                }
            }, cancellationToken);
    }

    internal sealed class EffectHandler(Effects effects, FailureDice dice) : IWebhookHandler
    {
        public async Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
        {
            // A little work before the effect, so that kills and outages meet handlers in every phase.
            await Task.Delay(Random.Shared.Next(0, 8), cancellationToken);
            if (dice.Fails())
            {
                throw new InvalidOperationException("A chaos failure, retried.");
            }

            await effects.Database.StringIncrementAsync("chaos:effect:" + webhookEvent.Id);
        }
    }
}
