using System;
using System.Text;
using Webhooks.Signatures;

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
