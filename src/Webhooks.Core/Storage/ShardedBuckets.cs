namespace Webhooks.Storage;

/// <summary>
/// The buckets of a hash index over slots, split into 256 shards by the top bits of the hash, each growing on its own: when a
/// shard doubles, only its own chains are walked and linked again, so growing the index of millions of keys costs a pause of a
/// 256th of that, where one table (a <c>Dictionary</c>) rehashes every key at once.
/// </summary>
/// <typeparam name="T">The slots.</typeparam>
/// <remarks>Not thread-safe: used under its store's lock. A bucket and a link hold a slot number plus one; 0 is none.</remarks>
internal sealed class ShardedBuckets<T>
    where T : class, IChainedSlots
{
    private const int ShardBits = 8;
    private const int Shards = 1 << ShardBits;

    private readonly int[][] _buckets = new int[Shards][];
    private readonly int[] _counts = new int[Shards];
    private readonly T _slots;

    public ShardedBuckets(T slots)
    {
        _slots = slots;
        for (int shard = 0; shard < Shards; shard++)
        {
            _buckets[shard] = new int[8];
        }
    }

    /// <summary>Gets the first link of the chain that a hash falls in.</summary>
    public int First(int hash)
    {
        int[] buckets = _buckets[ShardOf(hash)];
        return buckets[hash & (buckets.Length - 1)];
    }

    /// <summary>Puts a slot at the head of its hash's chain.</summary>
    public void Add(int index, int hash)
    {
        int shard = ShardOf(hash);
        if (_counts[shard] >= _buckets[shard].Length)
        {
            Grow(shard);
        }

        int[] buckets = _buckets[shard];
        ref int bucket = ref buckets[hash & (buckets.Length - 1)];
        _slots.NextOf(index) = bucket;
        bucket = index + 1;
        _counts[shard]++;
    }

    /// <summary>Takes a slot out of its hash's chain (it must be in it).</summary>
    public void Remove(int index, int hash)
    {
        int shard = ShardOf(hash);
        int[] buckets = _buckets[shard];
        ref int link = ref buckets[hash & (buckets.Length - 1)];
        while (link - 1 != index)
        {
            link = ref _slots.NextOf(link - 1);
        }

        link = _slots.NextOf(index);
        _counts[shard]--;
    }

    private static int ShardOf(int hash) => (int)((uint)hash >> (32 - ShardBits));

    /// <summary>Doubles one shard's buckets, moving each of its slots to its new chain.</summary>
    private void Grow(int shard)
    {
        int[] old = _buckets[shard];
        int[] grown = new int[old.Length * 2];
        foreach (int first in old)
        {
            for (int link = first; link != 0;)
            {
                ref int next = ref _slots.NextOf(link - 1);
                int following = next;
                ref int bucket = ref grown[_slots.HashOf(link - 1) & (grown.Length - 1)];
                next = bucket;
                bucket = link;
                link = following;
            }
        }

        _buckets[shard] = grown;
    }
}
