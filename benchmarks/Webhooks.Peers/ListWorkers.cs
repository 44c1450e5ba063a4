namespace Webhooks.Peers;

/// <summary>The list peer's workers: each its own connection, since BRPOP blocks the connection it runs on.</summary>
internal sealed class ListWorkers(string redis, int count)
{
    public const string Queue = "webhooks:queue";

    public string Redis { get; } = redis;

    public int Count { get; } = count;
}
