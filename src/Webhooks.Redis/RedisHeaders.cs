using System;
using System.Collections.Generic;
using System.Text;

namespace Webhooks.Redis;

/// <summary>Stored headers as one binary value: UTF-8 name, a zero byte, UTF-8 value, a zero byte, for each header.</summary>
internal static class RedisHeaders
{
    public static byte[] Encode(IReadOnlyDictionary<string, string> headers)
    {
        int length = 0;
        foreach (KeyValuePair<string, string> header in headers)
        {
            length += Encoding.UTF8.GetByteCount(header.Key) + Encoding.UTF8.GetByteCount(header.Value) + 2;
        }

        byte[] encoded = new byte[length];
        Span<byte> rest = encoded;
        foreach (KeyValuePair<string, string> header in headers)
        {
            int written = Encoding.UTF8.GetBytes(header.Key, rest);
            rest[written] = 0;
            rest = rest[(written + 1)..];
            written = Encoding.UTF8.GetBytes(header.Value, rest);
            rest[written] = 0;
            rest = rest[(written + 1)..];
        }

        return encoded;
    }

    public static IReadOnlyDictionary<string, string> Decode(byte[]? encoded)
    {
        if (encoded is null || encoded.Length == 0)
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
