using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text;

namespace Webhooks;

/// <summary>
/// Builds <see cref="WebhookHeaders"/> and owns what deliveries share across the process: one instance of each header name and of
/// each recurring value (bounded pools), one shape per sender's list of names and recurring values, and, per list length, the
/// two lists seen last as templates, so that a sender's next delivery matches its shape place by place without hashing. Which
/// headers differ on every delivery (ids, signatures, timestamps) is known here, so that those never fill the pools.
/// </summary>
internal static class WebhookHeaderInterner
{
    private const int MaxPooled = 4096;
    private const int MaxPooledValueLength = 64;

    private const int MaxShapes = 1024;

    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string?[], string?[]> Shapes = new(ShapeComparer.Instance);

    private static readonly ConcurrentDictionary<string, HeaderName> Names = new(StringComparer.Ordinal);

    /// <summary>Header lists shorter than this are remembered as templates.</summary>
    private const int MaxTemplateLength = 32;

    /// <summary>For each length, the two header lists of that length seen last with new names: the newest first.</summary>
    private static readonly Template?[] Templates = new Template?[2 * MaxTemplateLength];

    /// <summary>
    /// Headers whose values differ on every delivery: pooling them would only fill the pool. The tracing and request-id headers
    /// any sender may add, and each registered provider's own (<see cref="AddPerDeliveryHeaders"/>).
    /// </summary>
    private static readonly ConcurrentDictionary<string, byte> Unique = new(
        [new("traceparent", 0), new("tracestate", 0), new("X-Request-Id", 0), new("X-Correlation-Id", 0), new("Date", 0)],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds a provider's per-delivery headers (its ids, signatures and timestamps); called when its sources are registered, before any delivery.</summary>
    public static void AddPerDeliveryHeaders(IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            if (Unique.TryAdd(name, 0))
            {
                // A name seen before it was known to be per-delivery is looked up again.
                Names.TryRemove(name, out _);
            }
        }
    }

    /// <summary>Builds the stored headers, without <c>Authorization</c> and <c>Cookie</c>; a name given twice keeps its last value.</summary>
    public static WebhookHeaders Build(IEnumerable<KeyValuePair<string, string>> headers)
    {
        int capacity = headers is IReadOnlyCollection<KeyValuePair<string, string>> sized ? sized.Count : 8;
        string?[] pairs = new string?[2 * Math.Max(capacity, 1)];
        int count = 0;

        // A sender's deliveries repeat their header names, in the same order, and most values: the last lists of this length
        // are compared with this one place by place, and while they agree nothing is looked up (see Template).
        Template? template = null;
        bool fits = capacity is > 0 and < MaxTemplateLength;
        bool sameValues = true;

        // Which of the first 64 names have values that differ on every delivery (beyond 64, the set is asked again).
        ulong uniqueNames = 0;
        foreach (KeyValuePair<string, string> header in headers)
        {
            if (fits && count == 0)
            {
                template = Templates[2 * capacity] is { } first && Same(first.Shape[0]!, header.Key) ? first
                    : Templates[(2 * capacity) + 1] is { } second && Same(second.Shape[0]!, header.Key) ? second
                    : null;
                fits = template is not null;
            }

            if (fits && count < template!.Known.Length && Same(template.Shape[2 * count]!, header.Key))
            {
                // The template's header at this place: its name is known, it comes once in the template, and its value is
                // shared when it is the template's shared value.
                HeaderName same = template.Known[count];
                string? shared = template.Shape[(2 * count) + 1];
                string sent = header.Value;
                if (shared is not null ? Same(shared, sent) : !IsRecurring(same.Unique, sent))
                {
                    sent = shared ?? sent;
                }
                else
                {
                    sameValues = false;
                    sent = Kept(same, sent);
                }

                Add(ref pairs, ref count, ref uniqueNames, same, sent);
                continue;
            }

            fits = false;
            HeaderName known = NameOf(header.Key);
            if (known.Excluded)
            {
                continue;
            }

            string value = Kept(known, header.Value);
            int existing = WebhookHeaders.IndexOf(pairs, count, known.Shared);
            if (existing >= 0)
            {
                pairs[(2 * existing) + 1] = value;
                continue;
            }

            Add(ref pairs, ref count, ref uniqueNames, known, value);
        }

        if (count == 0)
        {
            return WebhookHeaders.Empty;
        }

        // Each value is looked at once: its packed length (0 when it stays a string) decides where it goes.
        Span<int> lengths = count <= 64 ? stackalloc int[count] : new int[count];
        int packedLength = 0;
        for (int i = 0; i < count; i++)
        {
            lengths[i] = PackedLength(IsUnique(uniqueNames, i, pairs[2 * i]!), pairs[(2 * i) + 1]!);
            packedLength += lengths[i];
        }

        byte[]? packed = packedLength == 0 ? null : new byte[packedLength];
        int at = 0;
        int ownStringBytes = 0;
        bool shareable = true;
        for (int i = 0; i < count; i++)
        {
            string value = pairs[(2 * i) + 1]!;
            if (lengths[i] == 0)
            {
                if (!IsRecurring(IsUnique(uniqueNames, i, pairs[2 * i]!), value))
                {
                    ownStringBytes += 24 + (2 * value.Length);
                    shareable = false;
                }

                continue;
            }

            at += Encoding.ASCII.GetBytes(value, packed.AsSpan(at));
            packed![at++] = WebhookHeaders.Separator;
            pairs[(2 * i) + 1] = null;
        }

        if (pairs.Length != 2 * count)
        {
            Array.Resize(ref pairs, 2 * count);
        }

        if (!shareable)
        {
            return new WebhookHeaders(pairs, packed, count, ownStringBytes);
        }

        if (fits && sameValues && count == template!.Known.Length)
        {
            return new WebhookHeaders(template.Shape, packed, count, ownStringBytes);
        }

        string?[]? stored;
        bool sharedShape = true;
        if (!Shapes.TryGetValue(pairs, out stored))
        {
            sharedShape = Shapes.Count < MaxShapes;
            stored = sharedShape ? Shapes.GetOrAdd(pairs, pairs) : pairs;
        }

        // A list whose names were not the template's (each name once, none left out) becomes the newest template of its length;
        // one whose names were the template's but some value differed (a content length) leaves the template as it is.
        if (sharedShape && !fits && count == capacity && count < MaxTemplateLength)
        {
            Remember(stored, count);
        }

        return new WebhookHeaders(stored, packed, count, ownStringBytes);
    }

    /// <summary>Returns the shared instance of a string that recurs across deliveries (a header name, an event type).</summary>
    public static string Share(string text)
    {
        if (Pool.TryGetValue(text, out string? shared))
        {
            return shared;
        }

        return Pool.Count < MaxPooled ? Pool.GetOrAdd(text, text) : text;
    }

    /// <summary>Tells whether a value is likely to recur in other deliveries, and so is shared rather than stored with each event.</summary>
    private static bool IsRecurring(bool uniqueName, string value) => value.Length <= MaxPooledValueLength && !uniqueName;

    private static bool IsUnique(ulong uniqueNames, int index, string name) => index < 64 ? (uniqueNames & (1UL << index)) != 0 : Unique.ContainsKey(name);

    /// <summary>What is known of a header name, looked up once per header (ordinal, on the name as sent): its shared instance, whether its values differ on every delivery, whether it is never stored.</summary>
    private static HeaderName NameOf(string name)
    {
        if (Names.TryGetValue(name, out HeaderName? known))
        {
            return known;
        }

        var made = new HeaderName(Share(name), Unique.ContainsKey(name), WebhookEvent.IsExcludedHeader(name));
        return Names.Count < MaxPooled ? Names.GetOrAdd(name, made) : made;
    }

    /// <summary>How many packed bytes a value takes: 0 for a shared value or one with other than printable ASCII (kept as a string).</summary>
    private static int PackedLength(bool uniqueName, string value)
    {
        if (IsRecurring(uniqueName, value))
        {
            return 0;
        }

        foreach (char c in value)
        {
            if (c is < ' ' or > '~')
            {
                return 0;
            }
        }

        return value.Length + 1;
    }

    private sealed record HeaderName(string Shared, bool Unique, bool Excluded);

    /// <summary>
    /// A header list seen before: its shape (names, and shared values or <see langword="null"/> for values kept as bytes), each
    /// name once and none left out, and what is known of each name. A delivery whose headers are the template's, place by place
    /// (the same names, the same shared values, and values to keep as bytes where the template keeps bytes), shares the
    /// template's shape without a lookup: its headers cost no hashing.
    /// </summary>
    private sealed class Template(string?[] shape, HeaderName[] known)
    {
        public string?[] Shape { get; } = shape;

        public HeaderName[] Known { get; } = known;
    }

    /// <summary>A header's value as it is kept: one shared instance when it recurs from delivery to delivery, else as sent.</summary>
    private static string Kept(HeaderName name, string value) => IsRecurring(name.Unique, value) ? Share(value) : value;

    /// <summary>Adds a header after the <paramref name="count"/> already in <paramref name="pairs"/>, noting whether its values differ on every delivery.</summary>
    private static void Add(ref string?[] pairs, ref int count, ref ulong uniqueNames, HeaderName name, string value)
    {
        if (2 * (count + 1) > pairs.Length)
        {
            Array.Resize(ref pairs, pairs.Length * 2);
        }

        pairs[2 * count] = name.Shared;
        pairs[(2 * count) + 1] = value;
        if (name.Unique && count < 64)
        {
            uniqueNames |= 1UL << count;
        }

        count++;
    }

    private static void Remember(string?[] shape, int count)
    {
        var known = new HeaderName[count];
        for (int i = 0; i < count; i++)
        {
            known[i] = NameOf(shape[2 * i]!);
        }

        // Templates are never changed once made; a race between two deliveries leaves one of them remembered.
        Templates[(2 * count) + 1] = Templates[2 * count];
        Templates[2 * count] = new Template(shape, known);
    }

    /// <summary>Ordinal equality, the same instance first (the server's known header names and values recur as one instance).</summary>
    private static bool Same(string a, string b) => ReferenceEquals(a, b) || string.Equals(a, b, StringComparison.Ordinal);

    /// <summary>Shapes are equal when their names and shared values are (the per-delivery values are all packed, so absent).</summary>
    private sealed class ShapeComparer : IEqualityComparer<string?[]>
    {
        public static readonly ShapeComparer Instance = new();

        public bool Equals(string?[]? x, string?[]? y)
        {
            if (x!.Length != y!.Length)
            {
                return false;
            }

            for (int i = 0; i < x.Length; i++)
            {
                if (!ReferenceEquals(x[i], y[i]) && !string.Equals(x[i], y[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(string?[] obj)
        {
            var hash = default(HashCode);
            foreach (string? text in obj)
            {
                hash.Add(text is null ? 0 : StringComparer.Ordinal.GetHashCode(text));
            }

            return hash.ToHashCode();
        }
    }
}
