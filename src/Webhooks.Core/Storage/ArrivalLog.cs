using System;
using System.Collections.Generic;

namespace Webhooks.Storage;

/// <summary>
/// Every stored event's slot by its arrival sequence number (1, 2, 3…, one per append), in chunks of 4,096 sequence numbers: a
/// chunk is dropped once all its events are gone, nothing is ever copied or compacted, and listing newest first walks back from
/// any sequence number, skipping dropped chunks whole.
/// </summary>
/// <remarks>Not thread-safe: used under its store's lock.</remarks>
internal sealed class ArrivalLog
{
    private const int ChunkShift = 12;
    private const int ChunkLength = 1 << ChunkShift;
    private const int ChunkMask = ChunkLength - 1;

    // Chunks from number _first on; a dropped chunk is null. A chunk holds slot numbers plus one, 0 for an event gone.
    private readonly List<Chunk?> _chunks = [];
    private long _first;

    /// <summary>Records the slot of a sequence number greater than any added before.</summary>
    public void Add(long sequence, int slot)
    {
        long number = sequence >> ChunkShift;
        if (_chunks.Count == 0)
        {
            _first = number;
        }

        while (_first + _chunks.Count <= number)
        {
            _chunks.Add(new Chunk());
        }

        Chunk chunk = _chunks[(int)(number - _first)]!;
        chunk.Slots[sequence & ChunkMask] = slot + 1;
        chunk.Live++;
    }

    /// <summary>Forgets a sequence number; its chunk is dropped when it was the last one in it, and dropped chunks at the front are let go.</summary>
    public void Remove(long sequence)
    {
        int at = (int)((sequence >> ChunkShift) - _first);
        Chunk chunk = _chunks[at]!;
        chunk.Slots[sequence & ChunkMask] = 0;
        if (--chunk.Live > 0 || at == _chunks.Count - 1)
        {
            return; // the last chunk stays: appends go on into it
        }

        _chunks[at] = null;
        int dropped = 0;
        while (dropped < _chunks.Count - 1 && _chunks[dropped] is null)
        {
            dropped++;
        }

        // Amortised: the list of chunks (8 bytes per 4,096 events) is shifted once at least half of it is dropped.
        if (dropped > 0 && dropped >= _chunks.Count / 2)
        {
            _chunks.RemoveRange(0, dropped);
            _first += dropped;
        }
    }

    /// <summary>The events that arrived before <paramref name="before"/>, newest first: sequence numbers and slots.</summary>
    public IEnumerable<(long Sequence, int Slot)> NewestFirst(long before)
    {
        long last = ((_first + _chunks.Count) << ChunkShift) - 1;
        for (long sequence = Math.Min(before - 1, last); sequence >= (_first << ChunkShift) && sequence > 0;)
        {
            Chunk? chunk = _chunks[(int)((sequence >> ChunkShift) - _first)];
            if (chunk is null)
            {
                sequence = (sequence & ~(long)ChunkMask) - 1; // the whole chunk is gone
                continue;
            }

            int slot = chunk.Slots[sequence & ChunkMask] - 1;
            if (slot >= 0)
            {
                yield return (sequence, slot);
            }

            sequence--;
        }
    }

    private sealed class Chunk
    {
        public readonly int[] Slots = new int[ChunkLength];

        public int Live;
    }
}
