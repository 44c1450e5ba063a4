using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace Webhooks.Peers;

/// <summary>
/// Runs the list peer's <paramref name="count"/> workers: BRPOP with a one-second timeout, then the push's work. Each has its own
/// connection, since BRPOP blocks the connection it runs on.
/// </summary>
internal sealed partial class ListWorkersService(string redis, int count, PushWork work, ILogger<ListWorkersService> logger) : BackgroundService
{
    /// <summary>The list the endpoint pushes onto and the workers pop from.</summary>
    public const string Queue = "webhooks:queue";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new Task[count];
        for (int i = 0; i < loops.Length; i++)
        {
            loops[i] = Task.Run(() => RunAsync(stoppingToken), stoppingToken);
        }

        return Task.WhenAll(loops);
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable disposing = connection.ConfigureAwait(false);
        IDatabase database = connection.GetDatabase();
        while (!stoppingToken.IsCancellationRequested)
        {
            RedisResult popped;
            try
            {
                popped = await database.ExecuteAsync("BRPOP", Queue, 1).ConfigureAwait(false);
            }
            catch (RedisException ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A reply late on a busy core, or a dropped connection: the multiplexer reconnects; pop again.
                PopFailed(logger, ex);
                continue;
            }

            if (popped.IsNull)
            {
                continue;
            }

            string item = (string)popped[1]!;
            int newline = item.IndexOf('\n', StringComparison.Ordinal);
            work.Handle(item[..newline], item[(newline + 1)..]);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "BRPOP failed; popping again.")]
    private static partial void PopFailed(ILogger logger, Exception exception);
}
