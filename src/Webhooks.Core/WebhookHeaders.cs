using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace Webhooks;

/// <summary>
/// The stored headers of one delivery: one array of name/value pairs, names compared case-insensitively. Names, and values that
/// repeat from delivery to delivery (content type, user agent, event type), are shared between events, so that a stored event
/// costs its body and little more.
/// </summary>
internal sealed class WebhookHeaders : IReadOnlyDictionary<string, string>
{
    public static readonly WebhookHeaders Empty = new([], 0);

    private const int MaxPooled = 4096;
    private const int MaxPooledValueLength = 64;

    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);

    /// <summary>Headers whose values differ on every delivery: pooling them would only fill the pool.</summary>
    private static readonly HashSet<string> Unique = new(StringComparer.OrdinalIgnoreCase)
    {
        "X-GitHub-Delivery", "X-Hub-Signature", "X-Hub-Signature-256", "Stripe-Signature", "webhook-id", "webhook-timestamp",
        "webhook-signature", "traceparent", "tracestate", "X-Request-Id", "X-Correlation-Id", "Date",
    };

    private readonly string[] _pairs;

    private WebhookHeaders(string[] pairs, int count)
    {
        _pairs = pairs;
        Count = count;
    }

    public int Count { get; }

    public IEnumerable<string> Keys
    {
        get
        {
            for (int i = 0; i < Count; i++)
            {
                yield return _pairs[2 * i];
            }
        }
    }

    public IEnumerable<string> Values
    {
        get
        {
            for (int i = 0; i < Count; i++)
            {
                yield return _pairs[(2 * i) + 1];
            }
        }
    }

    public string this[string key] => TryGetValue(key, out string? value) ? value : throw new KeyNotFoundException($"No header named {key} was stored.");

    /// <summary>Builds the stored headers, without <c>Authorization</c> and <c>Cookie</c>; a name given twice keeps its last value.</summary>
    public static WebhookHeaders From(IEnumerable<KeyValuePair<string, string>> headers)
    {
        int capacity = headers is IReadOnlyCollection<KeyValuePair<string, string>> sized ? sized.Count : 8;
        string[] pairs = new string[2 * Math.Max(capacity, 1)];
        int count = 0;
        foreach (KeyValuePair<string, string> header in headers)
        {
            if (WebhookEvent.IsExcludedHeader(header.Key))
            {
                continue;
            }

            string name = Share(header.Key);
            string value = header.Value.Length <= MaxPooledValueLength && !Unique.Contains(name) ? Share(header.Value) : header.Value;
            int existing = IndexOf(pairs, count, name);
            if (existing >= 0)
            {
                pairs[(2 * existing) + 1] = value;
                continue;
            }

            if (2 * (count + 1) > pairs.Length)
            {
                Array.Resize(ref pairs, pairs.Length * 2);
            }

            pairs[2 * count] = name;
            pairs[(2 * count) + 1] = value;
            count++;
        }

        if (count == 0)
        {
            return Empty;
        }

        if (pairs.Length != 2 * count)
        {
            Array.Resize(ref pairs, 2 * count);
        }

        return new WebhookHeaders(pairs, count);
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

    public bool ContainsKey(string key) => IndexOf(_pairs, Count, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        int index = IndexOf(_pairs, Count, key);
        value = index >= 0 ? _pairs[(2 * index) + 1] : null;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return new KeyValuePair<string, string>(_pairs[2 * i], _pairs[(2 * i) + 1]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static int IndexOf(string[] pairs, int count, string name)
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
