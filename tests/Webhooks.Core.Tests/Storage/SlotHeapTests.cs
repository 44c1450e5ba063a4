using System;
using System.Collections.Generic;
using Webhooks.Storage;

namespace Webhooks.Tests.Storage;

public class SlotHeapTests
{
    [Fact]
    public void RandomSetsMovesAndRemovals_FirstIsAlwaysTheModelsFirst()
    {
        // A sorted model of (primary, secondary, slot) beside the heap, through 50,000 random operations.
        var heap = new SlotHeap();
        var model = new SortedSet<(long Primary, long Secondary, int Slot)>();
        var keys = new Dictionary<int, (long Primary, long Secondary)>();
        var random = new Random(11);
        for (int step = 0; step < 50_000; step++)
        {
            int slot = random.Next(2_000);
            switch (random.Next(4))
            {
                case 0 or 1:
                    if (keys.TryGetValue(slot, out (long Primary, long Secondary) old))
                    {
                        model.Remove((old.Primary, old.Secondary, slot));
                    }

                    // Few distinct times, so the second key decides often.
                    (long Primary, long Secondary) key = (random.Next(50), slot);
                    heap.Set(slot, key.Primary, key.Secondary);
                    model.Add((key.Primary, key.Secondary, slot));
                    keys[slot] = key;
                    break;
                case 2:
                    heap.Remove(slot);
                    if (keys.Remove(slot, out (long Primary, long Secondary) removed))
                    {
                        model.Remove((removed.Primary, removed.Secondary, slot));
                    }

                    break;
                default:
                    if (heap.TryPeek(out int first, out long primary))
                    {
                        Assert.Equal(model.Min.Slot, first);
                        Assert.Equal(model.Min.Primary, primary);
                        heap.Remove(first);
                        model.Remove(model.Min);
                        keys.Remove(first);
                    }
                    else
                    {
                        Assert.Empty(model);
                    }

                    break;
            }

            Assert.Equal(model.Count, heap.Count);
            Assert.Equal(keys.ContainsKey(slot), heap.Contains(slot));
        }

        // Drained in order.
        while (heap.TryPeek(out int first, out _))
        {
            Assert.Equal(model.Min.Slot, first);
            heap.Remove(first);
            model.Remove(model.Min);
        }

        Assert.Empty(model);
    }
}
