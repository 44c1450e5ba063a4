using System;

namespace Webhooks.Storage;

/// <summary>
/// A first-in, first-out queue in fixed-size chunks: it grows and shrinks a chunk at a time and never copies what it holds, so
/// a queue of millions of items (a store's retention order) costs no pause when it grows, where a <c>Queue&lt;T&gt;</c> copies
/// all of them into an array twice as large.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>Not thread-safe: used under its store's lock.</remarks>
internal sealed class ChunkedQueue<T>
{
    private const int ChunkLength = 1024;

    private Chunk _head = new();
    private Chunk _tail;
    private int _headIndex;
    private int _tailIndex;

    public ChunkedQueue() => _tail = _head;

    public int Count { get; private set; }

    public void Enqueue(T item)
    {
        if (_tailIndex == ChunkLength)
        {
            var next = new Chunk();
            _tail.Next = next;
            _tail = next;
            _tailIndex = 0;
        }

        _tail.Items[_tailIndex++] = item;
        Count++;
    }

    public bool TryPeek(out T item)
    {
        if (Count == 0)
        {
            item = default!;
            return false;
        }

        item = _head.Items[_headIndex];
        return true;
    }

    public T Dequeue()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("The queue is empty.");
        }

        T item = _head.Items[_headIndex];
        _head.Items[_headIndex] = default!;
        _headIndex++;
        Count--;
        if (Count == 0)
        {
            // Empty: start again at the beginning of the last chunk (every slot of it is cleared already).
            _head = _tail;
            _headIndex = _tailIndex = 0;
        }
        else if (_headIndex == ChunkLength)
        {
            _head = _head.Next!;
            _headIndex = 0;
        }

        return item;
    }

    private sealed class Chunk
    {
        public readonly T[] Items = new T[ChunkLength];

        public Chunk? Next;
    }
}
