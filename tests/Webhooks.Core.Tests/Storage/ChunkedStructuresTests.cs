using System;
using System.Collections.Generic;
using System.Linq;
using Webhooks.Storage;

namespace Webhooks.Tests.Storage;

public class ChunkedStructuresTests
{
    [Fact]
    public void ChunkedQueue_RandomEnqueuesAndDequeues_SameOrderAsQueue()
    {
        var queue = new ChunkedQueue<(int, long)>();
        var model = new Queue<(int, long)>();
        var random = new Random(3);
        for (int step = 0; step < 200_000; step++)
        {
            // Phases that grow the queue over many chunks, drain it to empty, and hover around a few items.
            bool grow = ((step / 20_000) % 3) switch { 0 => random.Next(10) < 7, 1 => random.Next(10) < 3, _ => random.Next(2) == 0 };
            if (grow)
            {
                queue.Enqueue((step, -step));
                model.Enqueue((step, -step));
            }
            else if (model.Count > 0)
            {
                Assert.True(queue.TryPeek(out (int, long) head));
                Assert.Equal(model.Peek(), head);
                Assert.Equal(model.Dequeue(), queue.Dequeue());
            }
            else
            {
                Assert.False(queue.TryPeek(out _));
                Assert.Throws<InvalidOperationException>(() => queue.Dequeue());
            }

            Assert.Equal(model.Count, queue.Count);
        }
    }

    [Fact]
    public void SequenceIndex_InOrderThenRemovalsAcrossChunks_NewestFirstListsExactlyTheRest()
    {
        // 50,000 sequence numbers over 13 chunks; whole chunks emptied in the front, the middle and the back, and scattered
        // removals elsewhere; every listing from every kind of starting point equals the model's.
        var log = new SequenceIndex();
        var model = new SortedDictionary<long, int>();
        for (long sequence = 1; sequence <= 50_000; sequence++)
        {
            log.Add(sequence, (int)(sequence % 7_919));
            model[sequence] = (int)(sequence % 7_919);
        }

        var random = new Random(9);
        foreach (long sequence in model.Keys.Where(s => s < 9_000 || (s >= 20_000 && s < 30_000) || s > 45_000 || random.Next(4) == 0).ToList())
        {
            log.Remove(sequence);
            model.Remove(sequence);
        }

        foreach (long before in new long[] { long.MaxValue, 50_001, 45_000, 30_000, 20_000, 12_289, 9_000, 4_097, 1 })
        {
            Assert.Equal(
                model.Where(e => e.Key < before).Reverse().Select(e => (e.Key, e.Value)).ToList(),
                log.NewestFirst(before).ToList());
        }

        // Appends go on after everything before was removed.
        foreach (long sequence in model.Keys.ToList())
        {
            log.Remove(sequence);
        }

        Assert.Empty(log.NewestFirst(long.MaxValue));
        log.Add(50_001, 5);
        Assert.Equal([(50_001L, 5)], log.NewestFirst(long.MaxValue));
    }

    [Fact]
    public void SequenceIndex_AddsAndRemovalsInAnyOrder_NewestFirstListsExactlyTheModel()
    {
        // Sequence numbers enter and leave in any order (a status index: replayed events return with old numbers), over a
        // range of 40 chunks, with phases that empty it completely; every listing from random points equals the model's.
        var index = new SequenceIndex();
        var model = new SortedDictionary<long, int>();
        var random = new Random(21);
        for (int step = 0; step < 60_000; step++)
        {
            bool emptying = (step / 10_000) % 2 == 1;
            if (model.Count > 0 && (emptying || random.Next(3) == 0))
            {
                long gone = model.Keys.ElementAt(random.Next(model.Count));
                index.Remove(gone);
                model.Remove(gone);
            }
            else
            {
                long sequence = 1 + random.Next(40 * 4096);
                if (model.TryAdd(sequence, (int)(sequence % 9_973)))
                {
                    index.Add(sequence, (int)(sequence % 9_973));
                }
            }

            if (step % 1_000 == 0)
            {
                long before = random.Next(4) == 0 ? long.MaxValue : 1 + random.Next(41 * 4096);
                Assert.Equal(
                    model.Where(e => e.Key < before).Reverse().Select(e => (e.Key, e.Value)).ToList(),
                    index.NewestFirst(before).ToList());
            }
        }
    }

    [Fact]
    public void ShardedHashIndex_CollidingHashesAddedAndRemoved_EachHashFindsExactlyItsSlots()
    {
        // Hashes from a small set, most in one shard and many sharing a home place, so runs are long, wrap around the end of a
        // table and are cut in the middle by removals; after every step each hash still finds exactly its own slots.
        var index = new ShardedHashIndex();
        var model = new Dictionary<int, HashSet<int>>();
        var random = new Random(13);
        // Low bits all ones (or nearly) put a home at the end of any table, so their runs wrap around to the start, where
        // others have their homes.
        int[] hashes = [.. Enumerable.Range(0, 40).Select(i => i < 30 ? (0x7F << 24) | (i % 3) switch { 0 => 0xFFFFFF - (i % 4), 1 => i % 5, _ => 30 + (i % 5) } : random.Next())];
        int nextSlot = 0;
        var live = new List<(int Hash, int Slot)>();
        for (int step = 0; step < 20_000; step++)
        {
            if (live.Count == 0 || random.Next(3) != 0)
            {
                int hash = hashes[random.Next(hashes.Length)];
                index.Add(hash, nextSlot);
                live.Add((hash, nextSlot));
                (model.TryGetValue(hash, out HashSet<int>? set) ? set : model[hash] = []).Add(nextSlot++);
            }
            else
            {
                int at = random.Next(live.Count);
                (int hash, int slot) = live[at];
                live[at] = live[^1];
                live.RemoveAt(live.Count - 1);
                index.Remove(hash, slot);
                model[hash].Remove(slot);
            }

            if (step % 97 == 0)
            {
                foreach (int hash in hashes)
                {
                    var found = new List<int>();
                    int probe = -1;
                    for (int slot; (slot = index.Next(hash, ref probe)) >= 0;)
                    {
                        found.Add(slot);
                    }

                    Assert.Equal(model.TryGetValue(hash, out HashSet<int>? expected) ? expected.OrderBy(s => s) : [], found.OrderBy(s => s));
                }
            }
        }
    }
}
