using System;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Webhooks.Redis;

/// <summary>
/// Where the Redis stores keep their data, bound from <c>Webhooks:Redis</c> and validated at start-up. Give one of
/// <see cref="Configuration"/>, <see cref="ConfigurationOptions"/> or <see cref="ConnectionMultiplexerFactory"/>; without any, an
/// <see cref="IConnectionMultiplexer"/> registered in the services is used.
/// </summary>
public sealed class WebhookRedisOptions
{
    /// <summary>The largest number of partitions.</summary>
    public const int MaxPartitions = 1024;

    /// <summary>Gets or sets the StackExchange.Redis configuration string, for example <c>localhost:6379</c> (<c>Webhooks:Redis:Configuration</c>).</summary>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets the connection settings; preferred over <see cref="Configuration"/> when both are set.</summary>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Gets or sets a factory of the connection, for a multiplexer the application builds itself.</summary>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>Gets or sets the prefix of every key (<c>Webhooks:Redis:KeyPrefix</c>), so that several applications can share one Redis.</summary>
    /// <value><c>webhooks:</c> by default.</value>
    public string KeyPrefix { get; set; } = "webhooks:";

    /// <summary>
    /// Gets or sets how many partitions the keys are spread over (<c>Webhooks:Redis:Partitions</c>). Each partition's keys share one
    /// hash tag, so each lives on one node of a Redis Cluster; more partitions spread the data over more nodes. Changing it moves
    /// every id to another partition: set it once, before the first event is stored.
    /// </summary>
    /// <value>1 to 1024; 16 by default.</value>
    public int Partitions { get; set; } = 16;
}
