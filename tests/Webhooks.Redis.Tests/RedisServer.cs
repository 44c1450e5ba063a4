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
        // Keyspace notifications on hashes let tests wait for an event's change instead of polling for it.
        _process = RedisProcess.Start("--notify-keyspace-events", "Kh");
        Connection = await ConnectAsync(_process);
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

    /// <summary>Connects once the server has said that it is ready.</summary>
    internal static async Task<ConnectionMultiplexer> ConnectAsync(RedisProcess server)
    {
        await server.Ready;
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",abortConnect=true,connectTimeout=5000,allowAdmin=true");
        await connection.GetDatabase().PingAsync();
        return connection;
    }
}
