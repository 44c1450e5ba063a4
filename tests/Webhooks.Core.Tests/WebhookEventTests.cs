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
}
