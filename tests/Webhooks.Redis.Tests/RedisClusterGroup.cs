namespace Webhooks.Redis.Tests;

/// <summary>The tests that share one <see cref="RedisCluster"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterGroup : ICollectionFixture<RedisCluster>
{
    public const string Name = "redis-cluster";
}
