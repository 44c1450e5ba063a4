using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Webhooks.Storage;

namespace Webhooks.Redis;

/// <summary>
/// The one multiplexer both stores share, connected lazily on first use (start-up never waits for Redis), and retried on every
/// later use when connecting failed: a Redis that is down at start gives 503 until it is up.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly WebhookRedisOptions _options;
    private readonly IConnectionMultiplexer? _given;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnectionMultiplexer? _connection;
    private bool _owned;

    public RedisConnection(WebhookRedisOptions options, IConnectionMultiplexer? given)
    {
        _options = options;
        _given = given;
        Keys = new RedisKeys(options.KeyPrefix, options.Partitions);
    }

    public RedisKeys Keys { get; }

    public async ValueTask<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken) =>
        (await GetConnectionAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();

    public ValueTask<IConnectionMultiplexer> GetConnectionAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _connection) is { } connection ? ValueTask.FromResult(connection) : new ValueTask<IConnectionMultiplexer>(ConnectAsync(cancellationToken));

    private async Task<IConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { } existing)
            {
                return existing;
            }

            IConnectionMultiplexer connection;
            try
            {
                if (_options.ConnectionMultiplexerFactory is { } factory)
                {
                    connection = await factory().ConfigureAwait(false);
                }
                else if (_options.ConfigurationOptions is not null || _options.Configuration is not null)
                {
                    ConfigurationOptions settings = _options.ConfigurationOptions?.Clone() ?? ConfigurationOptions.Parse(_options.Configuration!);

                    // Keep trying in the background instead of failing for good when Redis is down at the first try.
                    settings.AbortOnConnectFail = false;
                    connection = await ConnectionMultiplexer.ConnectAsync(settings).ConfigureAwait(false);
                    _owned = true;
                }
                else
                {
                    connection = _given ?? throw new InvalidOperationException("No Redis connection is configured: set Webhooks:Redis:Configuration, or register an IConnectionMultiplexer.");
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                throw new WebhookStoreUnavailableException("Redis could not be reached: " + ex.Message, ex);
            }

            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned && _connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connecting.Dispose();
    }
}
