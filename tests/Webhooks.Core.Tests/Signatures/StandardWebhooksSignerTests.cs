using System;
using System.Text;
using Webhooks.Signatures;

namespace Webhooks.Tests.Signatures;

public class StandardWebhooksSignerTests
{
    [Fact]
    public void Sign_PublishedVector_Matches()
    {
        var signer = new StandardWebhooksSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        string signature = signer.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", DateTimeOffset.FromUnixTimeSeconds(1614265330), Encoding.UTF8.GetBytes("{\"test\": 2432232314}"));
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void TrySign_EmptyId_Throws()
    {
        Assert.Throws<ArgumentException>("id", () => new StandardWebhooksSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").TrySign("", 1, [], new char[100], out _));
    }

    [Fact]
    public void Constructor_InvalidBase64_Throws()
    {
        Assert.Throws<ArgumentException>("secret", () => new StandardWebhooksSigner("whsec_***"));
    }
}
