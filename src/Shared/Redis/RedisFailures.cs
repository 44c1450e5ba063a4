using System;
using StackExchange.Redis;

namespace Webhooks.Redis;

/// <summary>
/// Which Redis failures mean "unavailable for now" (the caller answers 503 or backs off) rather than a fault. Shared source:
/// compiled into each Redis package, so that none reads another's internals.
/// </summary>
internal static class RedisFailures
{
    /// <summary>Turns what the client throws when Redis is down, slow or refusing writes into the stores' "unavailable".</summary>
    public static bool IsUnavailable(Exception ex) => ex switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException server => IsTransient(server.Message),
        _ => false,
    };

    private static bool IsTransient(string message) =>
        message.StartsWith("OOM", StringComparison.Ordinal) || message.StartsWith("LOADING", StringComparison.Ordinal)
        || message.StartsWith("READONLY", StringComparison.Ordinal) || message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("BUSY", StringComparison.Ordinal) || message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
        || message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal);
}
