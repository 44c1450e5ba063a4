namespace Webhooks.Storage;

/// <summary>
/// A hash index from keys to slot numbers that never holds the keys themselves: each entry is a key's 32-bit hash and a slot
/// number packed in one <see cref="long"/>, in open-addressed tables (linear probing, at most half full), so that a lookup
/// reads one or two cache lines of the table and touches a slot only when the hash matches, and growing reads a table in
/// order. The tables are 256 shards chosen by the top bits of the hash, each growing on its own: growing the index of
/// millions of keys pauses for a 256th of them at a time.
/// </summary>
/// <remarks>
/// Not thread-safe: used under its store's lock. The caller hashes keys with a randomized hash (a sender cannot aim keys at
/// one shard or run of entries) and compares a candidate slot's key itself, since different keys can share a hash.
/// </remarks>
internal sealed class ShardedHashIndex
{
    private const int ShardBits = 8;
    private const int Shards = 1 << ShardBits;

    // An entry is (hash << 32) | (slot + 1); 0 is an empty place.
    private readonly long[][] _tables = new long[Shards][];
    private readonly int[] _counts = new int[Shards];

    public ShardedHashIndex()
    {
        for (int shard = 0; shard < Shards; shard++)
        {
            _tables[shard] = new long[16];
        }
    }

    /// <summary>
    /// Gets the next slot whose key has this hash, or -1 when there is none left. Start with <paramref name="probe"/> at -1 and
    /// call again with the same variable for the next candidate; nothing may be added or removed in between.
    /// </summary>
    public int Next(int hash, ref int probe)
    {
        long[] table = _tables[ShardOf(hash)];
        int mask = table.Length - 1;
        int place = probe < 0 ? hash & mask : (probe + 1) & mask;
        while (true)
        {
            long entry = table[place];
            if (entry == 0)
            {
                probe = place;
                return -1;
            }

            if ((int)(entry >> 32) == hash)
            {
                probe = place;
                return (int)entry - 1;
            }

            place = (place + 1) & mask;
        }
    }

    /// <summary>Adds a slot under a hash.</summary>
    public void Add(int hash, int slot)
    {
        int shard = ShardOf(hash);
        if (2 * (_counts[shard] + 1) > _tables[shard].Length)
        {
            Grow(shard);
        }

        Put(_tables[shard], ((long)hash << 32) | (uint)(slot + 1));
        _counts[shard]++;
    }

    /// <summary>Removes a slot from under its hash (it must be there), moving back the entries after it that would no longer be found.</summary>
    public void Remove(int hash, int slot)
    {
        int shard = ShardOf(hash);
        long[] table = _tables[shard];
        int mask = table.Length - 1;
        long wanted = ((long)hash << 32) | (uint)(slot + 1);
        int hole = hash & mask;
        while (table[hole] != wanted)
        {
            hole = (hole + 1) & mask;
        }

        // Linear probing's deletion: each following entry of the run that is not between its home and its place (cyclically)
        // moves into the hole, which moves to where it was.
        for (int place = (hole + 1) & mask; table[place] != 0; place = (place + 1) & mask)
        {
            int home = (int)(table[place] >> 32) & mask;
            bool stays = hole <= place ? hole < home && home <= place : hole < home || home <= place;
            if (!stays)
            {
                table[hole] = table[place];
                hole = place;
            }
        }

        table[hole] = 0;
        _counts[shard]--;
    }

    private static int ShardOf(int hash) => (int)((uint)hash >> (32 - ShardBits));

    private static void Put(long[] table, long entry)
    {
        int mask = table.Length - 1;
        int place = (int)(entry >> 32) & mask;
        while (table[place] != 0)
        {
            place = (place + 1) & mask;
        }

        table[place] = entry;
    }

    private void Grow(int shard)
    {
        long[] old = _tables[shard];
        long[] grown = new long[old.Length * 2];
        foreach (long entry in old)
        {
            if (entry != 0)
            {
                Put(grown, entry);
            }
        }

        _tables[shard] = grown;
    }
}
