using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Webhooks.Redis;
using Webhooks.Storage;

namespace Webhooks.Sender.Redis;

/// <summary>How the sender's Redis stores call Redis: an outage, judged as the receiver's stores judge it, is "unavailable".</summary>
internal static class RedisCalls
{
    /// <summary>Runs <paramref name="call"/>; cancellation stops the wait (a command that was sent cannot be taken back).</summary>
    public static async Task<T> RunAsync<T>(IConnectionMultiplexer connection, Func<IDatabase, Task<T>> call, string store, CancellationToken cancellationToken)
    {
        try
        {
            return await call(connection.GetDatabase()).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            throw new WebhookStoreUnavailableException("The Redis " + store + " did not answer: " + ex.Message, ex);
        }
    }
}
