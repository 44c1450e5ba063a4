using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Webhooks.Signatures;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Signatures;

public class GitHubSignatureVerifierTests
{
    // GitHub docs, "Validating webhook deliveries": the published example.
    private const string DocsSecret = "It's a Secret to Everybody";
    private const string DocsBody = "Hello, World!";
    private const string DocsSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    private const string Secret = "gh-test-secret";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"zen\":\"Keep it logically awesome.\"}\r\n  ");

    [Fact]
    public void Verify_PublishedGitHubVector_Valid()
    {
        var verifier = new GitHubSignatureVerifier(DocsSecret);
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Encoding.UTF8.GetBytes(DocsBody), DocsSignature));
    }

    [Fact]
    public void Verify_PublishedVectorWithOtherBody_Mismatch()
    {
        var verifier = new GitHubSignatureVerifier(DocsSecret);
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(Encoding.UTF8.GetBytes("Hello, World?"), DocsSignature));
    }

    [Fact]
    public void Verify_SignatureFromOtherSecret_Mismatch()
    {
        var verifier = new GitHubSignatureVerifier(Secret);
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(Body, Oracle.GitHub("another-secret", Body)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t")]
    public void Verify_EmptyHeader_Missing(string header)
    {
        var verifier = new GitHubSignatureVerifier(Secret);
        Assert.Equal(SignatureVerificationResult.Missing, verifier.Verify(Body, header));
    }

    [Theory]
    [InlineData("sha256=")]
    [InlineData("sha256")]
    [InlineData("=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1")] // odd length
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17aa")] // too long
    [InlineData("sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")] // not hex
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043eé7")] // unicode
    [InlineData("sha256=757107ea0eb2509fc2 1221cce984b8a37570b6d7586c22c46f4379c8b043e17")] // space inside
    [InlineData("sha1=0123456789abcdef0123456789abcdef01234567")] // the SHA-1 header's form is not accepted
    [InlineData("sha512=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    public void Verify_MalformedHeader_Malformed(string header)
    {
        var verifier = new GitHubSignatureVerifier(Secret);
        Assert.Equal(SignatureVerificationResult.Malformed, verifier.Verify(Body, header));
    }

    [Fact]
    public void Verify_UppercaseHex_Valid()
    {
        // GitHub sends lowercase; uppercase hex encodes the same MAC and is accepted.
        var verifier = new GitHubSignatureVerifier(DocsSecret);
        string upper = "sha256=" + DocsSignature[7..].ToUpperInvariant();
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Encoding.UTF8.GetBytes(DocsBody), upper));
    }

    [Theory]
    [InlineData("  sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17  ")]
    [InlineData("sha256 = 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("SHA256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    public void Verify_WhitespaceAroundParts_Valid(string header)
    {
        var verifier = new GitHubSignatureVerifier(DocsSecret);
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Encoding.UTF8.GetBytes(DocsBody), header));
    }

    [Fact]
    public void Verify_EmptyBody_ValidWhenSigned()
    {
        var verifier = new GitHubSignatureVerifier(Secret);
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify([], Oracle.GitHub(Secret, [])));
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify([], Oracle.GitHub(Secret, [0])));
    }

    [Fact]
    public void Verify_25MegabyteBody_Valid()
    {
        byte[] body = new byte[25 * 1024 * 1024];
        new Random(25).NextBytes(body);
        var verifier = new GitHubSignatureVerifier(Secret);
        string signature = Oracle.GitHub(Secret, body);
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(body, signature));
        body[^1] ^= 1;
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(body, signature));
    }

    [Fact]
    public void Verify_RotatedSecrets_EitherActiveSecretValid()
    {
        var verifier = new GitHubSignatureVerifier([new WebhookSecret("old"), new WebhookSecret("new")]);
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Body, Oracle.GitHub("old", Body)));
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Body, Oracle.GitHub("new", Body)));
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(Body, Oracle.GitHub("other", Body)));
    }

    [Fact]
    public void Verify_SecretOutsideItsWindow_NotAccepted()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var retiring = new WebhookSecret("old", notAfter: clock.GetUtcNow().AddHours(1));
        var upcoming = new WebhookSecret("new", notBefore: clock.GetUtcNow().AddMinutes(30));
        var verifier = new GitHubSignatureVerifier([retiring, upcoming], clock);

        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Body, Oracle.GitHub("old", Body)));
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(Body, Oracle.GitHub("new", Body)));

        clock.Advance(TimeSpan.FromMinutes(45)); // both active
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Body, Oracle.GitHub("old", Body)));
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Body, Oracle.GitHub("new", Body)));

        clock.Advance(TimeSpan.FromHours(1)); // old retired
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(Body, Oracle.GitHub("old", Body)));
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Body, Oracle.GitHub("new", Body)));
    }

    [Fact]
    public void Verify_NoSecretActive_NoActiveSecret()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var verifier = new GitHubSignatureVerifier([new WebhookSecret(Secret, notBefore: clock.GetUtcNow().AddDays(1))], clock);
        Assert.Equal(SignatureVerificationResult.NoActiveSecret, verifier.Verify(Body, Oracle.GitHub(Secret, Body)));
    }

    [Fact]
    public void Verify_ManyThreadsTwoSecrets_AllValid()
    {
        var verifier = new GitHubSignatureVerifier([new WebhookSecret("a"), new WebhookSecret("b")]);
        string sigA = Oracle.GitHub("a", Body);
        string sigB = Oracle.GitHub("b", Body);
        string wrong = Oracle.GitHub("c", Body);
        int failures = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            SignatureVerificationResult expected = i % 3 == 2 ? SignatureVerificationResult.Mismatch : SignatureVerificationResult.Valid;
            string header = (i % 3) switch { 0 => sigA, 1 => sigB, _ => wrong };
            if (verifier.Verify(Body, header) != expected)
            {
                System.Threading.Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Constructor_NullSecret_Throws()
    {
        Assert.Throws<ArgumentNullException>("secret", () => new GitHubSignatureVerifier((string)null!));
        Assert.Throws<ArgumentNullException>("secrets", () => new GitHubSignatureVerifier((WebhookSecret[])null!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Constructor_EmptySecret_Throws(string secret)
    {
        Assert.Throws<ArgumentException>("value", () => new GitHubSignatureVerifier(secret));
    }

    [Fact]
    public void Constructor_NoSecrets_Throws()
    {
        ArgumentException ex = Assert.Throws<ArgumentException>("secrets", () => new GitHubSignatureVerifier(Array.Empty<WebhookSecret>()));
        Assert.Contains("At least one secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TooManySecrets_Throws()
    {
        WebhookSecret[] secrets = Enumerable.Range(0, 17).Select(i => new WebhookSecret("s" + i)).ToArray();
        Assert.Throws<ArgumentException>("secrets", () => new GitHubSignatureVerifier(secrets));
    }

    [Fact]
    public void Constructor_NullInList_Throws()
    {
        Assert.Throws<ArgumentException>("secrets", () => new GitHubSignatureVerifier([new WebhookSecret("a"), null!]));
    }
}
