using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Webhooks.Redis;

/// <summary>
/// At start-up, in the background (start-up never waits for Redis): connects, and warns once when the server is unsafe for
/// events (see <see cref="RedisSafety"/>). A Redis that is down is not an error here: the stores answer 503 until it is up.
/// </summary>
internal sealed partial class RedisStartupCheck(RedisConnection connection, ILogger<RedisStartupCheck>? logger = null) : IHostedService, IDisposable
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly CancellationTokenSource _stopping = new();
    private Task _check = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _check = Task.Run(() => CheckAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
#pragma warning disable VSTHRD003 // The check was started by this service.
        await _check.ConfigureAwait(false);
#pragma warning restore VSTHRD003
    }

    public void Dispose() => _stopping.Dispose();

    private async Task CheckAsync(CancellationToken stopping)
    {
        try
        {
            IConnectionMultiplexer multiplexer = await connection.GetConnectionAsync(stopping).ConfigureAwait(false);
            IReadOnlyList<string> problems = await RedisSafety.CheckAsync(multiplexer).ConfigureAwait(false);
            foreach (string problem in problems)
            {
                Log.Unsafe(_logger, problem);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.NotChecked(_logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1400, Level = LogLevel.Warning, Message = "The Redis behind the webhook stores can lose events: {Problem}.")]
        public static partial void Unsafe(ILogger logger, string problem);

        [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "The Redis behind the webhook stores could not be checked at start-up ({Reason}); deliveries are answered 503 until it answers.")]
        public static partial void NotChecked(ILogger logger, string reason);
    }
}
