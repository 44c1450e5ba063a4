using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Webhooks.Redis;

/// <summary>Unhealthy when Redis does not answer a <c>PING</c>; Degraded when it answers but can lose events; Healthy otherwise.</summary>
internal sealed class RedisHealthCheck(RedisConnection connection) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            IConnectionMultiplexer multiplexer = await connection.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            TimeSpan latency = await multiplexer.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> problems = await RedisSafety.CheckAsync(multiplexer).WaitAsync(cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["pingMilliseconds"] = Math.Round(latency.TotalMilliseconds, 3) };
            return problems.Count == 0
                ? HealthCheckResult.Healthy("Redis answers.", data)
                : HealthCheckResult.Degraded("Redis answers but can lose events: " + string.Join("; ", problems) + ".", data: data);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer: deliveries are refused with 503 until it does.", ex);
        }
    }
}
