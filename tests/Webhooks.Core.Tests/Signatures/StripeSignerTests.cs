using System;
using System.Text;
using Webhooks.Signatures;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Signatures;

public class StripeSignerTests
{
    [Fact]
    public void Sign_MatchesIndependentComputation()
    {
        const string secret = "whsec_abc";
        byte[] body = Encoding.UTF8.GetBytes("{\"id\":\"evt_1\"}");
        var signer = new StripeSigner(secret);
        Assert.Equal($"t=1700000000,v1={Oracle.StripeV1(secret, 1_700_000_000, body)}", signer.Sign(body, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
    }

    [Fact]
    public void Sign_UsesTimeProvider()
    {
        var clock = ManualTimeProvider.AtUnixSeconds(1_234_567_890);
        Assert.StartsWith("t=1234567890,v1=", new StripeSigner("whsec_abc", clock).Sign([]), StringComparison.Ordinal);
    }

    [Fact]
    public void TrySign_NegativeTimestamp_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>("timestamp", () => new StripeSigner("whsec_abc").TrySign([], -1, new char[200], out _));
    }

    [Fact]
    public void TrySign_DestinationTooSmall_False()
    {
        Assert.False(new StripeSigner("whsec_abc").TrySign([], 1_700_000_000, new char[20], out int written));
        Assert.Equal(0, written);
    }
}
