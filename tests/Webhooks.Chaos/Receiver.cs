using StackExchange.Redis;
using Webhooks.Processing;

namespace Webhooks.Chaos;

/// <summary>
/// One receiver of the fleet: GitHub deliveries kept in Redis, a handler that fails at random (<c>--fail-rate</c>) and otherwise
/// records its effect by incrementing <c>chaos:effect:&lt;event id&gt;</c> in Redis database 1, outside the event store.
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
        string redis = builder.Configuration["redis"] ?? throw new InvalidOperationException("--redis host:port is required.");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:GitHub:Secret"] = Driver.Secret,
            ["Webhooks:Redis:Configuration"] = redis + ",abortConnect=false,connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000",
            ["Webhooks:StoreTimeout"] = "00:00:02",
            ["Webhooks:RetryAfter"] = "00:00:01",
            ["Webhooks:Retry:MaxAttempts"] = "50",
            ["Webhooks:Retry:BaseDelay"] = "00:00:00.100",
            ["Webhooks:Retry:MaxDelay"] = "00:00:01",
        });
        builder.Services.AddSingleton(new Effects(await ConnectionMultiplexer.ConnectAsync(redis + ",abortConnect=false,connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000")));
        builder.Services.AddSingleton(new FailureDice(double.Parse(builder.Configuration["fail-rate"] ?? "0.2", System.Globalization.CultureInfo.InvariantCulture)));
        builder.Services.AddWebhookReceiver()
            .AddGitHub()
            .AddHandler<EffectHandler>("github", "push")
            .UseRedis();

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
