using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Webhooks;

/// <summary>
/// The stored headers of one delivery, names compared case-insensitively, kept compactly because a stored event lives for days:
/// names and recurring values are shared instances, values that differ every time (delivery id, signature) are ASCII bytes in
/// one array, made into a string only when read, and deliveries from one sender share one shape (the list of names and recurring
/// values). This type is the value; <see cref="WebhookHeaderInterner"/> builds it and owns the process-wide sharing.
/// </summary>
internal sealed class WebhookHeaders : IReadOnlyDictionary<string, string>
{
    public static readonly WebhookHeaders Empty = new([], default, 0, 0);

    /// <summary>Ends each value kept as bytes in <see cref="Packed"/> (a store that copies them out looks for it).</summary>
    internal const byte Separator = (byte)'\n';

    /// <summary>Name, value, name, value…; a <see langword="null"/> value is the next value in <see cref="_packed"/>.</summary>
    private readonly string?[] _pairs;
    private readonly ReadOnlyMemory<byte> _packed;

    internal WebhookHeaders(string?[] pairs, ReadOnlyMemory<byte> packed, int count, int ownStringBytes)
    {
        _pairs = pairs;
        _packed = packed;
        Count = count;
        OwnStringBytes = ownStringBytes;
        ApproximateSize = 40 + 24 + (8 * pairs.Length) + (packed.IsEmpty ? 0 : 24 + packed.Length) + ownStringBytes;
    }

    public int Count { get; }

    /// <summary>Gets roughly how many bytes these headers take in memory, shared strings not counted (for a store's byte capacity).</summary>
    public int ApproximateSize { get; }

    /// <summary>Gets the names and the values that are strings, in pairs; usually an array shared by many deliveries (see <see cref="Restore"/>).</summary>
    internal string?[] Pairs => _pairs;

    /// <summary>Gets the values kept as bytes, in order, each ended by a line feed.</summary>
    internal ReadOnlySpan<byte> Packed => _packed.Span;

    /// <summary>Gets how many bytes the values that are strings of this delivery's own take.</summary>
    internal int OwnStringBytes { get; }

    public IEnumerable<string> Keys
    {
        get
        {
            for (int i = 0; i < Count; i++)
            {
                yield return _pairs[2 * i]!;
            }
        }
    }

    public IEnumerable<string> Values
    {
        get
        {
            int packed = 0;
            for (int i = 0; i < Count; i++)
            {
                yield return ValueAt(i, ref packed);
            }
        }
    }

    public string this[string key] => TryGetValue(key, out string? value) ? value : throw new KeyNotFoundException($"No header named {key} was stored.");

    /// <summary>Builds the stored headers, without <c>Authorization</c> and <c>Cookie</c>; a name given twice keeps its last value (see <see cref="WebhookHeaderInterner"/>).</summary>
    public static WebhookHeaders From(IEnumerable<KeyValuePair<string, string>> headers) => WebhookHeaderInterner.Build(headers);

    /// <summary>Returns the shared instance of a string that recurs across deliveries (a header name, an event type).</summary>
    public static string Share(string text) => WebhookHeaderInterner.Share(text);

    /// <summary>
    /// Rebuilds headers from the parts a store kept (<see cref="Pairs"/>, <see cref="Packed"/>, <see cref="OwnStringBytes"/>): a
    /// store can keep the packed bytes in memory of its own, and make the dictionary only when the event is read.
    /// </summary>
    internal static WebhookHeaders Restore(string?[] pairs, ReadOnlyMemory<byte> packed, int ownStringBytes) =>
        pairs.Length == 0 ? Empty : new WebhookHeaders(pairs, packed, pairs.Length / 2, ownStringBytes);

    /// <summary>Tells whether these headers and <paramref name="other"/> share one shape (names and recurring values).</summary>
    public bool SharesShapeWith(WebhookHeaders other) => ReferenceEquals(_pairs, other._pairs);

    public bool ContainsKey(string key) => IndexOf(_pairs, Count, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        int index = IndexOf(_pairs, Count, key);
        if (index < 0)
        {
            value = null;
            return false;
        }

        int packed = 0;
        for (int i = 0; i < index; i++)
        {
            packed += _pairs[(2 * i) + 1] is null ? 1 : 0;
        }

        value = ValueAt(index, ref packed);
        return true;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        int packed = 0;
        for (int i = 0; i < Count; i++)
        {
            yield return new KeyValuePair<string, string>(_pairs[2 * i]!, ValueAt(i, ref packed));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The value of pair <paramref name="index"/>; <paramref name="packed"/> counts the packed values before it, and is advanced past it.</summary>
    private string ValueAt(int index, ref int packed)
    {
        if (_pairs[(2 * index) + 1] is { } value)
        {
            return value;
        }

        ReadOnlySpan<byte> rest = _packed.Span;
        for (int skip = packed; skip > 0; skip--)
        {
            rest = rest[(rest.IndexOf(Separator) + 1)..];
        }

        packed++;
        return Encoding.ASCII.GetString(rest[..rest.IndexOf(Separator)]);
    }

    internal static int IndexOf(string?[] pairs, int count, string name)
    {
        for (int i = 0; i < count; i++)
        {
            if (string.Equals(pairs[2 * i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }


}
