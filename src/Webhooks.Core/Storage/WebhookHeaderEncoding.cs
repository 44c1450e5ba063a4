using System;
using System.Collections.Generic;
using System.Text;

namespace Webhooks.Storage;

/// <summary>
/// An event's headers as one binary value, for stores that keep them as bytes (the Redis store does): for each header its UTF-8
/// name, a zero byte, its UTF-8 value, a zero byte. Encoding the headers the endpoint received makes no string of any value.
/// </summary>
public static class WebhookHeaderEncoding
{
    /// <summary>Encodes <paramref name="headers"/>.</summary>
    /// <param name="headers">An event's headers (<see cref="WebhookEvent.Headers"/>), or any dictionary.</param>
    /// <returns>The encoded headers; empty when there are none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="headers"/> is <see langword="null"/>.</exception>
    public static byte[] Encode(IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers is WebhookHeaders kept)
        {
            return Encode(kept);
        }

        int length = 0;
        foreach (KeyValuePair<string, string> header in headers)
        {
            length += Encoding.UTF8.GetByteCount(header.Key) + Encoding.UTF8.GetByteCount(header.Value) + 2;
        }

        byte[] encoded = new byte[length];
        Span<byte> rest = encoded;
        foreach (KeyValuePair<string, string> header in headers)
        {
            Put(ref rest, header.Key);
            Put(ref rest, header.Value);
        }

        return encoded;
    }

    /// <summary>
    /// Encodes headers as the endpoint keeps them without making a string of any value: the values kept as bytes (printable
    /// ASCII, each ended by <see cref="WebhookHeaders.Separator"/>) are copied as they are.
    /// </summary>
    private static byte[] Encode(WebhookHeaders headers)
    {
        string?[] pairs = headers.Pairs;
        ReadOnlySpan<byte> packed = headers.Packed;
        int length = packed.Length;
        for (int i = 0; i < pairs.Length; i += 2)
        {
            length += Encoding.UTF8.GetByteCount(pairs[i]!) + 1 + (pairs[i + 1] is { } value ? Encoding.UTF8.GetByteCount(value) + 1 : 0);
        }

        byte[] encoded = new byte[length];
        Span<byte> rest = encoded;
        for (int i = 0; i < pairs.Length; i += 2)
        {
            Put(ref rest, pairs[i]!);
            if (pairs[i + 1] is { } value)
            {
                Put(ref rest, value);
                continue;
            }

            // The next packed value, up to its separator (which the zero replaces).
            int end = packed.IndexOf(WebhookHeaders.Separator);
            packed[..end].CopyTo(rest);
            rest[end] = 0;
            rest = rest[(end + 1)..];
            packed = packed[(end + 1)..];
        }

        return encoded;
    }

    /// <summary>Writes a name or value as UTF-8 and its ending zero, and moves past them.</summary>
    private static void Put(ref Span<byte> rest, string text)
    {
        int written = Encoding.UTF8.GetBytes(text, rest);
        rest[written] = 0;
        rest = rest[(written + 1)..];
    }

    /// <summary>Decodes headers that <see cref="Encode(IReadOnlyDictionary{string, string})"/> wrote, into the compact form events keep.</summary>
    /// <param name="encoded">The encoded headers; empty for none. A value cut short ends where the bytes end.</param>
    /// <returns>The headers, for <see cref="WebhookEvent.Headers"/>.</returns>
    public static IReadOnlyDictionary<string, string> Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty)
        {
            return WebhookHeaders.Empty;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        ReadOnlySpan<byte> rest = encoded;
        while (!rest.IsEmpty)
        {
            int nameEnd = rest.IndexOf((byte)0);
            if (nameEnd < 0)
            {
                break;
            }

            string name = Encoding.UTF8.GetString(rest[..nameEnd]);
            rest = rest[(nameEnd + 1)..];
            int valueEnd = rest.IndexOf((byte)0);
            if (valueEnd < 0)
            {
                valueEnd = rest.Length;
            }

            pairs.Add(new KeyValuePair<string, string>(name, Encoding.UTF8.GetString(rest[..valueEnd])));
            rest = valueEnd < rest.Length ? rest[(valueEnd + 1)..] : [];
        }

        return WebhookHeaders.From(pairs);
    }
}
