using System;
using System.Text;
using Webhooks.Signatures;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Signatures;

public class GitHubSignerTests
{
    [Fact]
    public void Sign_PublishedGitHubVector_Matches()
    {
        var signer = new GitHubSigner("It's a Secret to Everybody");
        Assert.Equal("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", signer.Sign(Encoding.UTF8.GetBytes("Hello, World!")));
    }

    [Fact]
    public void TrySign_DestinationTooSmall_False()
    {
        var signer = new GitHubSigner("s");
        Assert.False(signer.TrySign([1, 2, 3], new char[GitHubSigner.SignatureLength - 1], out int written));
        Assert.Equal(0, written);
        Assert.True(signer.TrySign([1, 2, 3], new char[GitHubSigner.SignatureLength], out written));
        Assert.Equal(GitHubSigner.SignatureLength, written);
    }

    [Fact]
    public void Constructor_InvalidSecret_Throws()
    {
        Assert.Throws<ArgumentNullException>("value", () => new GitHubSigner(null!));
        Assert.Throws<ArgumentException>("value", () => new GitHubSigner(""));
    }
}

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
