using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Webhooks.Redis;

/// <summary>
/// Whether the Redis behind the stores can lose events: an eviction policy other than <c>noeviction</c> may drop stored events
/// silently when memory runs short, and without <c>appendonly yes</c> a restart loses what was accepted since the last snapshot.
/// Read from <c>INFO</c> on every master, through a script (the client treats <c>INFO</c> itself as an admin command).
/// </summary>
internal static class RedisSafety
{
    private const string InfoScript = "return redis.call('INFO', 'memory') .. redis.call('INFO', 'persistence')";

    /// <summary>The problems found; empty when the server is safe.</summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(IConnectionMultiplexer connection)
    {
        var problems = new List<string>();
        foreach (IServer server in connection.GetServers())
        {
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            string info = (string?)await server.ExecuteAsync("EVAL", InfoScript, 0).ConfigureAwait(false) ?? "";
            string? policy = Find(info, "maxmemory_policy:");
            string? aof = Find(info, "aof_enabled:");
            if (policy is not null && !string.Equals(policy, "noeviction", StringComparison.Ordinal))
            {
                problems.Add($"{server.EndPoint}: maxmemory-policy is {policy}; stored events may be evicted silently (set it to noeviction)");
            }

            if (aof is not null && !string.Equals(aof, "1", StringComparison.Ordinal))
            {
                problems.Add($"{server.EndPoint}: appendonly is off; a restart loses the deliveries accepted since the last snapshot (set appendonly yes)");
            }
        }

        return problems;
    }

    private static string? Find(string info, string key)
    {
        int at = info.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        int start = at + key.Length;
        int end = info.IndexOfAny(['\r', '\n'], start);
        return (end < 0 ? info[start..] : info[start..end]).Trim();
    }
}
