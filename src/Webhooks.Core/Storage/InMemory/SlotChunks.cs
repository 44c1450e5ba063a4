using System;

namespace Webhooks.Storage;

/// <summary>
/// Values of <typeparamref name="T"/> in chunks of 4,096 that are allocated once and never copied, addressed by slot number,
/// with a free list: a store keeps each stored item as one such value instead of an object of its own.
/// </summary>
/// <typeparam name="T">The slot: a struct whose <see cref="IFreeListed.NextFree"/> links the free list while it is free.</typeparam>
/// <remarks>Not thread-safe: used under its store's lock.</remarks>
internal sealed class SlotChunks<T>
    where T : struct, IFreeListed
{
    private const int ChunkShift = 12;
    private const int ChunkLength = 1 << ChunkShift;
    private const int ChunkMask = ChunkLength - 1;

    private T[][] _chunks = [];

    // The first free slot's number plus one; 0 when none is free.
    private int _free;

    public int Count { get; private set; }

    public ref T this[int index] => ref _chunks[index >> ChunkShift][index & ChunkMask];

    /// <summary>Takes a free slot, cleared, and returns its number.</summary>
    public int Take()
    {
        if (_free == 0)
        {
            Grow();
        }

        int index = _free - 1;
        ref T slot = ref this[index];
        _free = slot.NextFree;
        slot = default;
        Count++;
        return index;
    }

    /// <summary>Clears a slot, letting go of everything it references, and frees it.</summary>
    public void Free(int index)
    {
        ref T slot = ref this[index];
        slot = default;
        slot.NextFree = _free;
        _free = index + 1;
        Count--;
    }

    private void Grow()
    {
        var chunk = new T[ChunkLength];
        int first = _chunks.Length * ChunkLength;
        for (int i = 0; i < ChunkLength - 1; i++)
        {
            chunk[i].NextFree = first + i + 2;
        }

        Array.Resize(ref _chunks, _chunks.Length + 1);
        _chunks[^1] = chunk;
        _free = first + 1;
    }
}
