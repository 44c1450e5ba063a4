using System;
using System.Collections.Generic;
using System.Linq;
using Webhooks.Storage;

namespace Webhooks.Tests.Storage;

/// <summary>The stored headers' encoding: the endpoint's compact headers encode straight to the same bytes as any dictionary.</summary>
public sealed class WebhookHeaderEncodingTests
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

        byte[] kept = WebhookHeaderEncoding.Encode(received.Headers);
        byte[] general = WebhookHeaderEncoding.Encode(new Dictionary<string, string>(received.Headers));

        Assert.Equal(general, kept);
        Assert.Equal(
            received.Headers.OrderBy(h => h.Key, StringComparer.Ordinal),
            WebhookHeaderEncoding.Decode(kept).OrderBy(h => h.Key, StringComparer.Ordinal));
        Assert.Equal("req-42", WebhookHeaderEncoding.Decode(kept)["X-Request-Id"]);
        Assert.False(WebhookHeaderEncoding.Decode(kept).ContainsKey("Authorization"));
    }

    [Fact]
    public void Decode_EmptyOrCutShort_NeverThrows()
    {
        Assert.Empty(WebhookHeaderEncoding.Decode([]));
        IReadOnlyDictionary<string, string> cut = WebhookHeaderEncoding.Decode("X-A\0one\0X-B\0tw"u8);
        Assert.Equal("one", cut["X-A"]);
        Assert.Equal("tw", cut["X-B"]);
        Assert.Empty(WebhookHeaderEncoding.Decode("no-zero"u8));
        Assert.Throws<ArgumentNullException>("headers", () => WebhookHeaderEncoding.Encode(null!));
    }
}
