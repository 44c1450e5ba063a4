using System;
using Webhooks.Signatures;

namespace Webhooks.Tests.Signatures;

public class WebhookSecretTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Constructor_EmptyWindow_Throws()
    {
        Assert.Throws<ArgumentException>("notAfter", () => new WebhookSecret("s", T0, T0));
        Assert.Throws<ArgumentException>("notAfter", () => new WebhookSecret("s", T0, T0.AddSeconds(-1)));
    }

    [Fact]
    public void IsActiveAt_WindowBoundsInclusive()
    {
        var secret = new WebhookSecret("s", T0, T0.AddDays(1));
        Assert.False(secret.IsActiveAt(T0.AddTicks(-1)));
        Assert.True(secret.IsActiveAt(T0));
        Assert.True(secret.IsActiveAt(T0.AddDays(1)));
        Assert.False(secret.IsActiveAt(T0.AddDays(1).AddTicks(1)));
        Assert.True(new WebhookSecret("s").IsActiveAt(DateTimeOffset.MinValue));
    }

    [Fact]
    public void ToString_DoesNotRevealSecret()
    {
        Assert.DoesNotContain("hunter2", new WebhookSecret("hunter2").ToString(), StringComparison.Ordinal);
    }
}
