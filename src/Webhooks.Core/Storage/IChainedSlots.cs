namespace Webhooks.Storage;

/// <summary>The slots a <see cref="ShardedBuckets{T}"/> chains together: each slot has a link to the next one and a stored hash.</summary>
internal interface IChainedSlots
{
    /// <summary>Gets the link from a slot to the next one in its chain: that slot's number plus one, or 0 at the end.</summary>
    ref int NextOf(int index);

    /// <summary>Gets a slot's stored hash code.</summary>
    int HashOf(int index);
}
