using System;

namespace Webhooks.Storage;

/// <summary>
/// Hands out small pieces of pinned arrays ("pages") for data a store keeps for as long as an event lives (ids, packed
/// headers, idempotency keys): one pinned allocation serves many events, and the collector neither copies the pieces nor
/// traces them. A page is freed by the collector once no stored event refers to a piece of it; a long-lived event keeps
/// its page alive, so pages are small. Pieces larger than a quarter of a page get an array of their own.
/// </summary>
/// <typeparam name="T">The element type: bytes or characters.</typeparam>
/// <remarks>Not thread-safe: used under its store's lock.</remarks>
internal sealed class PinnedPages<T>
    where T : unmanaged
{
    private readonly int _pageLength;
    private T[] _page = [];
    private int _used;

    /// <summary>Creates pages of <paramref name="pageLength"/> elements.</summary>
    public PinnedPages(int pageLength) => _pageLength = pageLength;

    /// <summary>Takes a piece of <paramref name="length"/> elements, contents unspecified; the caller writes all of it.</summary>
    public Memory<T> Take(int length)
    {
        if (length > _pageLength / 4)
        {
            return GC.AllocateUninitializedArray<T>(length, pinned: true);
        }

        if (_used + length > _page.Length)
        {
            _page = GC.AllocateUninitializedArray<T>(_pageLength, pinned: true);
            _used = 0;
        }

        Memory<T> piece = _page.AsMemory(_used, length);
        _used += length;
        return piece;
    }
}
