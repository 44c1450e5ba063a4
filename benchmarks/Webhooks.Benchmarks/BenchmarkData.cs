using System;
using System.Collections.Generic;
using System.Text;

namespace Webhooks.Benchmarks;

internal static class BenchmarkData
{
    public const long Now = 1_760_000_000;

    /// <summary>The headers of a GitHub push delivery, as the receiver stores them.</summary>
    public static readonly KeyValuePair<string, string>[] GitHubHeaders =
    [
        new("Host", "127.0.0.1:5192"),
        new("Content-Type", "application/json"),
        new("Content-Length", "1015"),
        new("User-Agent", "GitHub-Hookshot/bench"),
        new("X-GitHub-Event", "push"),
        new("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        new("X-GitHub-Hook-ID", "292430182"),
        new("X-Hub-Signature-256", "sha256=af5221448c9901d44ca49f05c1da174fc01799d31963207a45b37982f88a4286"),
    ];

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
