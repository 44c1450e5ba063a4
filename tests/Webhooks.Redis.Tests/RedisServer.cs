using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Webhooks.Redis.Tests;

/// <summary>
/// A real <c>redis-server</c> started for the tests on a free loopback port, with persistence off, and stopped with them.
/// The test command installs <c>redis-server</c> when it is missing; a missing server fails the tests rather than skipping them.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private RedisProcess? _process;

    public string Configuration => _process!.Endpoint;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _process = RedisProcess.Start();
        Connection = await ConnectAsync(Configuration);
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    /// <summary>Connects once the server answers; bounded.</summary>
    internal static async Task<ConnectionMultiplexer> ConnectAsync(string configuration)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(configuration + ",abortConnect=true,connectTimeout=1000,allowAdmin=true");
                await connection.GetDatabase().PingAsync();
                return connection;
            }
            catch (RedisConnectionException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }
}
