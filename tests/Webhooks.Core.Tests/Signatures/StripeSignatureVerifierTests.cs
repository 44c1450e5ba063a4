using System;
using System.Linq;
using System.Text;
using Webhooks.Signatures;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Signatures;

public class StripeSignatureVerifierTests
{
    private const string Secret = "whsec_test_secret_0123456789";
    private const long Now = 1_760_000_000;

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\n  \"id\": \"evt_1\",\n  \"type\": \"payment_intent.succeeded\"\n}");

    private static StripeSignatureVerifier Create(long now = Now, TimestampTolerance? tolerance = null) =>
        new([new WebhookSecret(Secret)], tolerance, ManualTimeProvider.AtUnixSeconds(now));

    private static string V1(long t, byte[]? body = null, string secret = Secret) => Oracle.StripeV1(secret, t, body ?? Body);

    [Fact]
    public void Verify_KeyIsWholeSecretIncludingPrefix_Valid()
    {
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, $"t={Now},v1={V1(Now)}"));

        // A key without the whsec_ prefix (the Standard Webhooks rule) must not verify.
        string withoutPrefix = V1(Now, secret: Secret["whsec_".Length..]);
        Assert.Equal(SignatureVerificationResult.Mismatch, Create().Verify(Body, $"t={Now},v1={withoutPrefix}"));
    }

    [Fact]
    public void Verify_ReturnsSignedTimestamp()
    {
        Create().Verify(Body, $"t={Now},v1={V1(Now)}", out DateTimeOffset signedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Now), signedAt);
    }

    [Fact]
    public void Verify_V0AndUnknownKeysIgnored_Valid()
    {
        string header = $"t={Now},v0=deadbeef,scheme=x,v1={V1(Now)},novalue,v2=abc";
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, header));
    }

    [Fact]
    public void Verify_OnlyV0_Malformed()
    {
        Assert.Equal(SignatureVerificationResult.Malformed, Create().Verify(Body, $"t={Now},v0={V1(Now)}"));
    }

    [Fact]
    public void Verify_MatchingSignatureIsLastOfSeveral_Valid()
    {
        string header = $"t={Now},v1={V1(Now, secret: "whsec_a")},v1={V1(Now, secret: "whsec_b")},v1={V1(Now)}";
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, header));
    }

    [Fact]
    public void Verify_TenThousandV1EntriesMatchingLast_Valid()
    {
        string wrong = V1(Now, secret: "whsec_wrong");
        var builder = new StringBuilder($"t={Now}");
        for (int i = 0; i < 9_999; i++)
        {
            builder.Append(",v1=").Append(wrong);
        }

        string allWrong = builder.ToString() + ",v1=" + wrong;
        string lastRight = builder.ToString() + ",v1=" + V1(Now);
        Assert.Equal(SignatureVerificationResult.Mismatch, Create().Verify(Body, allWrong));
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, lastRight));
    }

    [Fact]
    public void Verify_SpacesAroundSeparators_Valid()
    {
        string header = $"  t = {Now} ,  v1 =  {V1(Now)}  , v0 = 00 ";
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, header));
    }

    [Fact]
    public void Verify_UppercaseHex_Valid()
    {
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, $"t={Now},v1={V1(Now).ToUpperInvariant()}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("    ")]
    public void Verify_EmptyHeader_Missing(string header)
    {
        Assert.Equal(SignatureVerificationResult.Missing, Create().Verify(Body, header));
    }

    [Theory]
    [InlineData("v1=0000000000000000000000000000000000000000000000000000000000000000")] // no t
    [InlineData("t=1760000000")] // no v1
    [InlineData("t=,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=-1760000000,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=176000000000000000000000000000,v1=0000000000000000000000000000000000000000000000000000000000000000")] // 30 digits
    [InlineData("t=9223372036854775808,v1=0000000000000000000000000000000000000000000000000000000000000000")] // past Int64
    [InlineData("t=17600x0000,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1.5,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=١٧٦٠٠٠٠٠٠٠,v1=0000000000000000000000000000000000000000000000000000000000000000")] // Arabic-Indic digits
    [InlineData("t=1760000000,t=1760000000,v1=0000000000000000000000000000000000000000000000000000000000000000")] // two timestamps
    [InlineData("garbage")]
    [InlineData(",,,,")]
    [InlineData("=,=,=")]
    public void Verify_MalformedHeader_Malformed(string header)
    {
        Assert.Equal(SignatureVerificationResult.Malformed, Create().Verify(Body, header));
    }

    [Theory]
    [InlineData("v1=")]
    [InlineData("v1=abc")] // odd length
    [InlineData("v1=zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("v1=00000000000000000000000000000000000000000000000000000000000000é0")]
    public void Verify_UnusableV1Values_Mismatch(string v1)
    {
        Assert.Equal(SignatureVerificationResult.Mismatch, Create().Verify(Body, $"t={Now},{v1}"));
    }

    [Fact]
    public void Verify_TimestampAtPastTolerance_Valid()
    {
        Assert.Equal(SignatureVerificationResult.Valid, Create(Now + 300).Verify(Body, $"t={Now},v1={V1(Now)}"));
    }

    [Fact]
    public void Verify_TimestampBeyondPastTolerance_Expired()
    {
        Assert.Equal(SignatureVerificationResult.Expired, Create(Now + 301).Verify(Body, $"t={Now},v1={V1(Now)}"));
    }

    [Fact]
    public void Verify_TimestampAtFutureTolerance_Valid()
    {
        Assert.Equal(SignatureVerificationResult.Valid, Create(Now - 300).Verify(Body, $"t={Now},v1={V1(Now)}"));
    }

    [Fact]
    public void Verify_TimestampBeyondFutureTolerance_FutureTimestamp()
    {
        Assert.Equal(SignatureVerificationResult.FutureTimestamp, Create(Now - 301).Verify(Body, $"t={Now},v1={V1(Now)}"));
    }

    [Fact]
    public void Verify_SeparatePastAndFutureSkew_Applied()
    {
        var tolerance = new TimestampTolerance(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5));
        Assert.Equal(SignatureVerificationResult.Valid, Create(Now + 600, tolerance).Verify(Body, $"t={Now},v1={V1(Now)}"));
        Assert.Equal(SignatureVerificationResult.FutureTimestamp, Create(Now - 6, tolerance).Verify(Body, $"t={Now},v1={V1(Now)}"));
    }

    [Fact]
    public void Verify_ForgedAndExpired_MismatchNotExpired()
    {
        // The signature is checked first: a forgery never learns that only its timestamp was wrong.
        Assert.Equal(SignatureVerificationResult.Mismatch, Create(Now + 10_000).Verify(Body, $"t={Now},v1={V1(Now, secret: "whsec_x")}"));
    }

    [Fact]
    public void Verify_TimestampZeroAndHuge_NoOverflow()
    {
        Assert.Equal(SignatureVerificationResult.Expired, Create().Verify(Body, $"t=0,v1={V1(0)}"));
        const long huge = 999_999_999_999_999_999;
        Assert.Equal(SignatureVerificationResult.FutureTimestamp, Create().Verify(Body, $"t={huge},v1={V1(huge)}"));
    }

    [Fact]
    public void Verify_LeadingZerosInTimestamp_SignedAsSent()
    {
        // The signed payload uses the timestamp characters exactly as sent.
        string t = "0" + Now;
        byte[] payload = [.. Encoding.UTF8.GetBytes(t + "."), .. Body];
        string v1 = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), payload));
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, $"t={t},v1={v1}"));
    }

    [Fact]
    public void Verify_TimestampChanged_Mismatch()
    {
        Assert.Equal(SignatureVerificationResult.Mismatch, Create().Verify(Body, $"t={Now + 1},v1={V1(Now)}"));
    }

    [Fact]
    public void Verify_EmptyAnd25MegabyteBodies_Valid()
    {
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify([], $"t={Now},v1={V1(Now, [])}"));
        byte[] big = new byte[25 * 1024 * 1024];
        new Random(7).NextBytes(big);
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(big, $"t={Now},v1={V1(Now, big)}"));
    }

    [Fact]
    public void Verify_RotatedSecrets_EitherValid()
    {
        var verifier = new StripeSignatureVerifier([new WebhookSecret("whsec_old"), new WebhookSecret("whsec_new")], null, ManualTimeProvider.AtUnixSeconds(Now));
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Body, $"t={Now},v1={V1(Now, secret: "whsec_old")}"));
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Body, $"t={Now},v1={V1(Now, secret: "whsec_new")}"));
    }

    [Fact]
    public void Verify_NoSecretActive_NoActiveSecret()
    {
        var clock = ManualTimeProvider.AtUnixSeconds(Now);
        var verifier = new StripeSignatureVerifier([new WebhookSecret(Secret, notAfter: clock.GetUtcNow().AddSeconds(-1))], null, clock);
        Assert.Equal(SignatureVerificationResult.NoActiveSecret, verifier.Verify(Body, $"t={Now},v1={V1(Now)}"));
    }

    [Fact]
    public void Tolerance_DefaultIs300SecondsEachWay()
    {
        var verifier = new StripeSignatureVerifier(Secret);
        Assert.Equal(TimeSpan.FromSeconds(300), verifier.Tolerance.Past);
        Assert.Equal(TimeSpan.FromSeconds(300), verifier.Tolerance.Future);
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("secret", () => new StripeSignatureVerifier((string)null!));
        Assert.Throws<ArgumentNullException>("secrets", () => new StripeSignatureVerifier((WebhookSecret[])null!));
        Assert.Throws<ArgumentException>("value", () => new StripeSignatureVerifier(""));
        Assert.Throws<ArgumentException>("secrets", () => new StripeSignatureVerifier(Enumerable.Empty<WebhookSecret>()));
    }
}
