using System;
using System.Collections.Generic;
using System.Linq;

namespace Webhooks.Tests;

public class WebhookEventTests
{
    [Fact]
    public void Create_Headers_CaseInsensitiveLastValueWinsCredentialsDropped()
    {
        WebhookEvent e = WebhookEvent.Create("github", "d1", "push", new[]
        {
            new KeyValuePair<string, string>("X-GitHub-Event", "push"),
            new KeyValuePair<string, string>("x-github-event", "issues"),
            new KeyValuePair<string, string>("Authorization", "Bearer x"),
            new KeyValuePair<string, string>("Content-Type", "application/json"),
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch);

        Assert.Equal(2, e.Headers.Count);
        Assert.Equal("issues", e.Headers["X-GITHUB-EVENT"]);
        Assert.True(e.Headers.ContainsKey("content-type"));
        Assert.False(e.Headers.TryGetValue("authorization", out _));
        Assert.Throws<KeyNotFoundException>(() => e.Headers["Cookie"]);
        Assert.Equal(["X-GitHub-Event", "Content-Type"], e.Headers.Keys.ToArray());
        Assert.Equal(["issues", "application/json"], e.Headers.Values.ToArray());
        Assert.Empty(WebhookEvent.Create("github", "d2", "push", [], default, default).Headers);
    }

    [Fact]
    public void Create_RepeatingValuesShared_PerDeliveryValuesNot()
    {
        WebhookEvent Make(string id) => WebhookEvent.Create("github", id, new string("push".AsSpan()), new Dictionary<string, string>
        {
            [new string("User-Agent".AsSpan())] = new string("GitHub-Hookshot/abc".AsSpan()),
            ["X-GitHub-Delivery"] = id,
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch);

        WebhookEvent a = Make("delivery-a");
        WebhookEvent b = Make("delivery-b");
        Assert.Same(a.Headers["User-Agent"], b.Headers["User-Agent"]);
        Assert.Same(a.Headers.Keys.First(), b.Headers.Keys.First());
        Assert.Same(a.EventType, b.EventType);
        Assert.Equal("delivery-b", b.Headers["X-GitHub-Delivery"]);
    }

    [Fact]
    public void Create_PerDeliveryValuesPacked_ReadBackExactlyInOrder()
    {
        string signature = "sha256=" + new string('a', 64);
        string longValue = new('z', 200);
        WebhookEvent e = WebhookEvent.Create("github", "d1", "push", new[]
        {
            new KeyValuePair<string, string>("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
            new KeyValuePair<string, string>("Content-Type", "application/json"),
            new KeyValuePair<string, string>("X-Hub-Signature-256", "sha256=old"),
            new KeyValuePair<string, string>("X-Long", longValue),
            new KeyValuePair<string, string>("X-Hub-Signature-256", signature),
            new KeyValuePair<string, string>("X-Request-Id", "caf\u00e9"),
            new KeyValuePair<string, string>("webhook-id", "tab\there"),
            new KeyValuePair<string, string>("Date", ""),
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch);

        // Values that differ per delivery are packed as ASCII; anything else (non-ASCII, control characters, empty) stays a string.
        Assert.Equal(
            [
                new("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
                new("Content-Type", "application/json"),
                new("X-Hub-Signature-256", signature),
                new("X-Long", longValue),
                new("X-Request-Id", "caf\u00e9"),
                new("webhook-id", "tab\there"),
                new KeyValuePair<string, string>("Date", ""),
            ],
            e.Headers.ToArray());
        Assert.Equal(signature, e.Headers["x-hub-signature-256"]);
        Assert.Equal(longValue, e.Headers["X-Long"]);
        Assert.Equal("caf\u00e9", e.Headers["X-Request-Id"]);
        Assert.True(e.Headers.TryGetValue("X-GitHub-Delivery", out string? delivery));
        Assert.Equal("72d3162e-cc78-11e3-81ab-4c9367dc0958", delivery);
        Assert.Equal(e.Headers.Select(h => h.Value), e.Headers.Values);
    }

    [Fact]
    public void Create_PerDeliveryValues_OneByteEachCharacter()
    {
        static int SizeWith(string signature) => ((WebhookHeaders)WebhookEvent.Create("github", "d1", "push", new[]
        {
            new KeyValuePair<string, string>("Content-Type", "application/json"),
            new KeyValuePair<string, string>("X-Hub-Signature-256", signature),
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch).Headers).ApproximateSize;

        Assert.Equal(100, SizeWith(new string('a', 200)) - SizeWith(new string('a', 100)));
        Assert.Equal(200, SizeWith(new string('\u00e9', 200)) - SizeWith(new string('\u00e9', 100)));
    }

    [Fact]
    public void Create_SameSender_ShapeShared_PerDeliveryValuesKeptApart()
    {
        static WebhookHeaders Make(string delivery, string requestId) => (WebhookHeaders)WebhookEvent.Create("github", delivery, "push", new[]
        {
            new KeyValuePair<string, string>("Content-Type", "application/json"),
            new KeyValuePair<string, string>("X-GitHub-Delivery", delivery),
            new KeyValuePair<string, string>("X-Request-Id", requestId),
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch).Headers;

        WebhookHeaders a = Make("a", "r1");
        WebhookHeaders b = Make("b", "");
        WebhookHeaders c = Make("c", "caf\u00e9");
        Assert.True(a.SharesShapeWith(b));
        Assert.False(a.SharesShapeWith(c));
        Assert.Equal(("a", "r1"), (a["X-GitHub-Delivery"], a["X-Request-Id"]));
        Assert.Equal(("b", ""), (b["X-GitHub-Delivery"], b["X-Request-Id"]));
        Assert.Equal(("c", "caf\u00e9"), (c["X-GitHub-Delivery"], c["X-Request-Id"]));
    }
}
