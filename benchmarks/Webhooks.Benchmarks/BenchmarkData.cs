using System;
using System.Text;

namespace Webhooks.Benchmarks;

internal static class BenchmarkData
{
    public const long Now = 1_760_000_000;

    /// <summary>A JSON-looking body of exactly <paramref name="size"/> bytes, the same for every run.</summary>
    public static byte[] Body(int size)
    {
        byte[] body = new byte[size];
        ReadOnlySpan<byte> pattern = "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"amount\":2000}}}"u8;
        for (int i = 0; i < size; i++)
        {
            body[i] = pattern[i % pattern.Length];
        }

        return body;
    }

    public static byte[] Concat(string prefix, byte[] body)
    {
        byte[] prefixBytes = Encoding.UTF8.GetBytes(prefix);
        byte[] all = new byte[prefixBytes.Length + body.Length];
        prefixBytes.CopyTo(all, 0);
        body.CopyTo(all, prefixBytes.Length);
        return all;
    }
}
