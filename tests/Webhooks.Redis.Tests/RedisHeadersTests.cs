using System;
using System.Collections.Generic;
using System.Linq;

namespace Webhooks.Redis.Tests;

/// <summary>The stored headers' encoding: the endpoint's compact headers encode straight to the same bytes as any dictionary.</summary>
public sealed class RedisHeadersTests
{
    [Fact]
    public void Encode_KeptHeaders_SameBytesAsAnyDictionaryAndDecodedBack()
    {
        // Shared values (content type), values kept as bytes (delivery id, signature), a value that is not ASCII, a name given
        // twice (the last value stays) and an excluded header.
        var sent = new List<KeyValuePair<string, string>>
        {
            new("Content-Type", "application/json"),
            new("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
            new("X-Hub-Signature-256", "sha256=" + new string('a', 64)),
            new("X-GitHub-Event", "push"),
            new("X-Note", "grüße"),
            new("X-Request-Id", "first"),
            new("Authorization", "Bearer secret"),
            new("X-Request-Id", "req-42"),
            new("User-Agent", "GitHub-Hookshot/abc123"),
        };
        WebhookEvent received = WebhookEvent.Create("github", "72d3162e", "push", sent, new byte[] { 1 }, DateTimeOffset.UnixEpoch);

        byte[] kept = RedisHeaders.Encode(received.Headers);
        byte[] general = RedisHeaders.Encode(new Dictionary<string, string>(received.Headers));

        Assert.Equal(general, kept);
        Assert.Equal(
            received.Headers.OrderBy(h => h.Key, StringComparer.Ordinal),
            RedisHeaders.Decode(kept).OrderBy(h => h.Key, StringComparer.Ordinal));
        Assert.Equal("req-42", RedisHeaders.Decode(kept)["X-Request-Id"]);
        Assert.False(RedisHeaders.Decode(kept).ContainsKey("Authorization"));
    }
}
