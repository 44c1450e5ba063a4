using System;

namespace Webhooks.Storage;

/// <summary>
/// A binary min-heap of slot numbers ordered by two keys (a time, then a tie-breaker), that knows where each slot sits, so a slot
/// is moved or taken out at once when its state changes instead of leaving a stale item behind: the heap holds exactly the
/// slots that are due at a time of their own, however long one of them waits.
/// </summary>
/// <remarks>Not thread-safe: used under its store's lock.</remarks>
internal sealed class SlotHeap
{
    private (long Primary, long Secondary, int Slot)[] _items = new (long, long, int)[16];

    // Each slot's place in _items plus one, 0 when the slot is not in the heap; in chunks, so that the map grows with the store
    // without copying.
    private const int ChunkShift = 12;
    private const int ChunkMask = (1 << ChunkShift) - 1;
    private int[][] _places = [];

    public int Count { get; private set; }

    public bool Contains(int slot) => (slot >> ChunkShift) < _places.Length && Place(slot) != 0;

    /// <summary>Gets the first slot and its primary key, or returns <see langword="false"/> when the heap is empty.</summary>
    public bool TryPeek(out int slot, out long primary)
    {
        if (Count == 0)
        {
            slot = -1;
            primary = 0;
            return false;
        }

        slot = _items[0].Slot;
        primary = _items[0].Primary;
        return true;
    }

    /// <summary>Puts a slot in the heap under these keys, or moves it there if it is in already.</summary>
    public void Set(int slot, long primary, long secondary)
    {
        while ((slot >> ChunkShift) >= _places.Length)
        {
            Array.Resize(ref _places, _places.Length + 1);
            _places[^1] = new int[1 << ChunkShift];
        }

        int place = Place(slot) - 1;
        if (place < 0)
        {
            if (Count == _items.Length)
            {
                Array.Resize(ref _items, _items.Length * 2);
            }

            place = Count++;
        }

        _items[place] = (primary, secondary, slot);
        Place(slot) = place + 1;
        Restore(place);
    }

    /// <summary>Takes a slot out of the heap; nothing happens when it is not in it.</summary>
    public void Remove(int slot)
    {
        if (!Contains(slot))
        {
            return;
        }

        int place = Place(slot) - 1;
        Place(slot) = 0;
        int last = --Count;
        if (place != last)
        {
            _items[place] = _items[last];
            Place(_items[place].Slot) = place + 1;
            Restore(place);
        }

        _items[last] = default;
    }

    /// <summary>Moves the item at <paramref name="place"/> up or down until the heap is ordered again.</summary>
    private void Restore(int place)
    {
        (long Primary, long Secondary, int Slot) item = _items[place];
        while (place > 0)
        {
            int parent = (place - 1) >> 1;
            if (!Before(item, _items[parent]))
            {
                break;
            }

            Put(place, _items[parent]);
            place = parent;
        }

        while (true)
        {
            int child = (2 * place) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && Before(_items[child + 1], _items[child]))
            {
                child++;
            }

            if (!Before(_items[child], item))
            {
                break;
            }

            Put(place, _items[child]);
            place = child;
        }

        Put(place, item);
    }

    private void Put(int place, (long Primary, long Secondary, int Slot) item)
    {
        _items[place] = item;
        Place(item.Slot) = place + 1;
    }

    private ref int Place(int slot) => ref _places[slot >> ChunkShift][slot & ChunkMask];

    private static bool Before((long Primary, long Secondary, int Slot) x, (long Primary, long Secondary, int Slot) y) =>
        x.Primary < y.Primary || (x.Primary == y.Primary && x.Secondary < y.Secondary);
}
