using System;
using System.Collections.Generic;

namespace Webhooks.Storage;

/// <summary>
/// Stored events' slots by their arrival sequence numbers, in chunks of 4,096 sequence numbers: a chunk exists only while it
/// holds an event, nothing is ever copied or compacted but the short list of chunks, and listing newest first walks back from
/// any sequence number, skipping absent chunks whole. Used for every event by arrival (sequence numbers come in order) and for
/// the events of one status (they come in any order: a replayed event returns with its old number).
/// </summary>
/// <remarks>Not thread-safe: used under its store's lock.</remarks>
internal sealed class SequenceIndex
{
    private const int ChunkShift = 12;
    private const int ChunkLength = 1 << ChunkShift;
    private const int ChunkMask = ChunkLength - 1;

    // Chunks from number _first on, null where none is held; a chunk holds slot numbers plus one, 0 where no event is. The list
    // neither starts nor ends with null. One emptied chunk is kept for the next one needed (all its entries are 0 again).
    private readonly List<Chunk?> _chunks = [];
    private long _first;
    private Chunk? _spare;

    /// <summary>Records the slot of a sequence number that is not recorded.</summary>
    public void Add(long sequence, int slot)
    {
        long number = sequence >> ChunkShift;
        if (_chunks.Count == 0)
        {
            _first = number;
        }
        else if (number < _first)
        {
            _chunks.InsertRange(0, new Chunk?[_first - number]);
            _first = number;
        }

        while (_first + _chunks.Count <= number)
        {
            _chunks.Add(null);
        }

        int at = (int)(number - _first);
        Chunk chunk = _chunks[at] ??= TakeChunk();
        chunk.Slots[sequence & ChunkMask] = slot + 1;
        chunk.Live++;
    }

    /// <summary>Forgets a recorded sequence number; its chunk goes when it held the last one.</summary>
    public void Remove(long sequence)
    {
        int at = (int)((sequence >> ChunkShift) - _first);
        Chunk chunk = _chunks[at]!;
        chunk.Slots[sequence & ChunkMask] = 0;
        if (--chunk.Live > 0)
        {
            return;
        }

        _chunks[at] = null;
        _spare = chunk;
        while (_chunks.Count > 0 && _chunks[^1] is null)
        {
            _chunks.RemoveAt(_chunks.Count - 1);
        }

        int dropped = 0;
        while (dropped < _chunks.Count && _chunks[dropped] is null)
        {
            dropped++;
        }

        // Amortised: the list of chunks (8 bytes per 4,096 sequence numbers) is shifted once at least half of it is empty in front.
        if (dropped > 0 && dropped >= _chunks.Count / 2)
        {
            _chunks.RemoveRange(0, dropped);
            _first += dropped;
        }
    }

    /// <summary>The recorded sequence numbers below <paramref name="before"/>, newest first, with their slots.</summary>
    public IEnumerable<(long Sequence, int Slot)> NewestFirst(long before)
    {
        if (_chunks.Count == 0)
        {
            yield break;
        }

        long last = ((_first + _chunks.Count) << ChunkShift) - 1;
        for (long sequence = Math.Min(before - 1, last); sequence >= (_first << ChunkShift) && sequence > 0;)
        {
            Chunk? chunk = _chunks[(int)((sequence >> ChunkShift) - _first)];
            if (chunk is null)
            {
                sequence = (sequence & ~(long)ChunkMask) - 1; // no event in this whole chunk
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

    private Chunk TakeChunk()
    {
        Chunk chunk = _spare ?? new Chunk();
        _spare = null;
        return chunk;
    }

    private sealed class Chunk
    {
        public readonly int[] Slots = new int[ChunkLength];

        public int Live;
    }
}
