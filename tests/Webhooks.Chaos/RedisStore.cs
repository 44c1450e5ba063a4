using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using Webhooks.Redis;
using Webhooks.Storage;

namespace Webhooks.Chaos;

/// <summary>A redis-server (append-only, fsync always) the receivers keep their events in; effects are counted in its database 1.</summary>
internal sealed class RedisStore : IChaosStore
{
    private readonly string _directory;
    private readonly int _port;
    private Process _server;

    private RedisStore(string directory, int port, Process server)
    {
        _directory = directory;
        _port = port;
        _server = server;
    }

    public string Name => "Redis on 127.0.0.1:" + _port.ToString(CultureInfo.InvariantCulture);

    public string[] ReceiverArguments => ["--redis", Endpoint];

    public bool ExactlyOnce => false;

    private string Endpoint => "127.0.0.1:" + _port.ToString(CultureInfo.InvariantCulture);

    public static async Task<IChaosStore> StartAsync(string directory)
    {
        int port = Driver.FreePort();
        (Process server, Task ready) = StartRedis(port, directory);
        await ready;
        return new RedisStore(directory, port, server);
    }

    public async Task StopAsync()
    {
        Driver.Signal(_server, "TERM");
        await _server.WaitForExitAsync();
    }

    public async Task StartAgainAsync()
    {
        (_server, Task ready) = StartRedis(_port, _directory);
        await ready;
    }

    /// <summary>
    /// Reads the store's counts until processed and dead events reach the acknowledged deliveries: once, then at each change of a
    /// partition's processed or dead index (a keyspace notification), not by polling, until the deadline.
    /// </summary>
    public async Task<WebhookEventCounts> WaitForProcessingAsync(int acknowledged, TimeSpan within)
    {
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(Endpoint);
        return await WaitForProcessingAsync(connection, new RedisEventStore(connection), acknowledged, within);
    }

    public async Task<IReadOnlyList<(string Id, WebhookEventSummary? Summary, long Effects)>> ReadAsync(IEnumerable<string> ids)
    {
        using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(Endpoint);
        var store = new RedisEventStore(connection);
        IDatabase effects = connection.GetDatabase(1);
        var reads = new List<(string Id, Task<RedisValue> Count, Task<WebhookEventSummary?> Summary)>();
        foreach (string id in ids)
        {
            reads.Add((id, effects.StringGetAsync("chaos:effect:github:" + id), store.GetAsync("github:" + id).AsTask()));
        }

        var results = new List<(string, WebhookEventSummary?, long)>(reads.Count);
        foreach ((string id, Task<RedisValue> count, Task<WebhookEventSummary?> summary) in reads)
        {
            results.Add((id, await summary, (long)await count));
        }

        return results;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_server.HasExited)
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }
    }

    /// <summary>Starts redis-server (append-only, fsync always, notifying changes of sorted sets); the task completes when it accepts connections.</summary>
    private static (Process Server, Task Ready) StartRedis(int port, string directory)
    {
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (string argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--notify-keyspace-events", "Kz",
        })
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            // Said once the append-only file is loaded, after a restart too.
            if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited before it accepted connections."));
        process.EnableRaisingEvents = true;
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, ready.Task.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>
    /// Reads the store's counts until processed and dead events reach <paramref name="acknowledged"/>: once, then at each change
    /// of a processed or dead index (one read in flight, and one more if a change came during it), until <paramref name="within"/>.
    /// </summary>
    private static async Task<WebhookEventCounts> WaitForProcessingAsync(ConnectionMultiplexer connection, RedisEventStore store, int acknowledged, TimeSpan within)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int reading = 0;
        int again = 0;
        async Task ReadAsync()
        {
            do
            {
                Volatile.Write(ref again, 0);
                WebhookEventCounts latest = await store.CountAsync();
                if (latest.Processed + latest.Dead >= acknowledged)
                {
                    done.TrySetResult();
                }
            }
            while (Volatile.Read(ref again) == 1);
            Volatile.Write(ref reading, 0);
        }

        void Changed()
        {
            Volatile.Write(ref again, 1);
            if (Interlocked.CompareExchange(ref reading, 1, 0) == 0)
            {
                _ = ReadAsync();
            }
        }

        ISubscriber subscriber = connection.GetSubscriber();
        RedisChannel indexes = RedisChannel.Pattern("__keyspace@0__:*:status:[24]");
        await subscriber.SubscribeAsync(indexes, (_, _) => Changed());
        try
        {
            Changed();
            await done.Task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            // The deadline passed: what is not processed is reported as such.
        }
        finally
        {
            await subscriber.UnsubscribeAsync(indexes);
        }

        return await store.CountAsync();
    }

}
