using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace Webhooks.Peers;

/// <summary>Runs the list peer's workers: BRPOP with a one-second timeout, then the push's work.</summary>
internal sealed partial class ListWorkersService(ListWorkers workers, PushWork work, ILogger<ListWorkersService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new Task[workers.Count];
        for (int i = 0; i < loops.Length; i++)
        {
            loops[i] = Task.Run(() => RunAsync(stoppingToken), stoppingToken);
        }

        return Task.WhenAll(loops);
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(workers.Redis).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable disposing = connection.ConfigureAwait(false);
        IDatabase database = connection.GetDatabase();
        while (!stoppingToken.IsCancellationRequested)
        {
            RedisResult popped;
            try
            {
                popped = await database.ExecuteAsync("BRPOP", ListWorkers.Queue, 1).ConfigureAwait(false);
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
