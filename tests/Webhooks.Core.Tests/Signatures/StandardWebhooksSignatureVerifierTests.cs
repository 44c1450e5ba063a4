using System;
using System.Text;
using Webhooks.Signatures;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Signatures;

public class StandardWebhooksSignatureVerifierTests
{
    // The Standard Webhooks reference libraries' shared test case (also in Svix's documentation).
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string VectorTimestamp = "1614265330";
    private const string VectorBody = "{\"test\": 2432232314}";
    private const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private const long Now = 1614265330;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(VectorBody);

    private static StandardWebhooksSignatureVerifier Create(long now = Now, string secret = VectorSecret, TimestampTolerance? tolerance = null) =>
        new([new WebhookSecret(secret)], tolerance, ManualTimeProvider.AtUnixSeconds(now));

    [Fact]
    public void Verify_PublishedVector_ValidWithClockAtItsTime()
    {
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, VectorId, VectorTimestamp, VectorSignature));
    }

    [Fact]
    public void Verify_PublishedVectorToday_Expired()
    {
        var verifier = new StandardWebhooksSignatureVerifier(VectorSecret);
        Assert.Equal(SignatureVerificationResult.Expired, verifier.Verify(Body, VectorId, VectorTimestamp, VectorSignature));
    }

    [Fact]
    public void Verify_SecretWithoutPrefix_SameKey()
    {
        Assert.Equal(SignatureVerificationResult.Valid, Create(secret: VectorSecret["whsec_".Length..]).Verify(Body, VectorId, VectorTimestamp, VectorSignature));
    }

    [Fact]
    public void Verify_AnyPartChanged_Mismatch()
    {
        StandardWebhooksSignatureVerifier verifier = Create();
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(Encoding.UTF8.GetBytes("{\"test\": 2432232315}"), VectorId, VectorTimestamp, VectorSignature));
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(Body, "msg_other", VectorTimestamp, VectorSignature));
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(Body, VectorId, "1614265331", VectorSignature));
    }

    [Theory]
    [InlineData("", VectorTimestamp, VectorSignature)]
    [InlineData(VectorId, "", VectorSignature)]
    [InlineData(VectorId, VectorTimestamp, "")]
    [InlineData("  ", VectorTimestamp, VectorSignature)]
    [InlineData(VectorId, VectorTimestamp, "   ")]
    public void Verify_MissingHeader_Missing(string id, string timestamp, string signature)
    {
        Assert.Equal(SignatureVerificationResult.Missing, Create().Verify(Body, id, timestamp, signature));
    }

    [Theory]
    [InlineData("-1614265330", VectorSignature)]
    [InlineData("161426533000000000000000000000", VectorSignature)] // 30 digits
    [InlineData("1614265330.0", VectorSignature)]
    [InlineData("١٦١٤٢٦٥٣٣٠", VectorSignature)] // Arabic-Indic digits
    [InlineData("0x60377a32", VectorSignature)]
    [InlineData(VectorTimestamp, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")] // no version
    public void Verify_MalformedHeaders_Malformed(string timestamp, string signature)
    {
        Assert.Equal(SignatureVerificationResult.Malformed, Create().Verify(Body, VectorId, timestamp, signature));
    }

    [Theory]
    [InlineData("v1,")]
    [InlineData("v1,not base64!")]
    [InlineData("v1,AAAA")] // wrong length
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")] // unknown version ignored
    [InlineData("v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")] // asymmetric version ignored
    [InlineData("V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=é")]
    public void Verify_UnusableSignatures_Mismatch(string signature)
    {
        Assert.Equal(SignatureVerificationResult.Mismatch, Create().Verify(Body, VectorId, VectorTimestamp, signature));
    }

    [Fact]
    public void Verify_MatchingSignatureLastOfSeveral_Valid()
    {
        string header = "v1a,abc v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,xyz   " + VectorSignature;
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, VectorId, VectorTimestamp, header));
    }

    [Fact]
    public void Verify_TenThousandSignaturesMatchingLast_Valid()
    {
        var builder = new StringBuilder();
        for (int i = 0; i < 9_999; i++)
        {
            builder.Append("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ");
        }

        Assert.Equal(SignatureVerificationResult.Mismatch, Create().Verify(Body, VectorId, VectorTimestamp, builder.ToString()));
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, VectorId, VectorTimestamp, builder + VectorSignature));
    }

    [Fact]
    public void Verify_NonCanonicalBase64_Mismatch()
    {
        // 'E' and 'F' differ only in the padding bits of the last character: the same bytes, but not the canonical encoding.
        Assert.Equal(SignatureVerificationResult.Mismatch, Create().Verify(Body, VectorId, VectorTimestamp, VectorSignature.Replace("OLJ1OE=", "OLJ1OF=", StringComparison.Ordinal)));
    }

    [Fact]
    public void Verify_UnpaddedBase64_Valid()
    {
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, VectorId, VectorTimestamp, VectorSignature.TrimEnd('=')));
    }

    [Fact]
    public void Verify_WhitespaceAroundHeaderValues_Valid()
    {
        Assert.Equal(SignatureVerificationResult.Valid, Create().Verify(Body, " " + VectorId + " ", " " + VectorTimestamp + "\t", "  " + VectorSignature + "  "));
    }

    [Fact]
    public void Verify_UnicodeAndLongIds_SignedAsUtf8()
    {
        const string secret = "whsec_" + "c2VjcmV0LWtleS1ieXRlcy0xMjM0NTY3ODkw";
        var clock = ManualTimeProvider.AtUnixSeconds(Now);
        var verifier = new StandardWebhooksSignatureVerifier([new WebhookSecret(secret)], null, clock);
        foreach (string id in new[] { "msg_ünïcødé_✓", new string('x', 5000) })
        {
            string signature = Oracle.StandardV1(secret, id, Now, Body);
            Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Body, id, Now.ToString(System.Globalization.CultureInfo.InvariantCulture), signature));
        }
    }

    [Theory]
    [InlineData(300, SignatureVerificationResult.Valid)]
    [InlineData(301, SignatureVerificationResult.Expired)]
    [InlineData(-300, SignatureVerificationResult.Valid)]
    [InlineData(-301, SignatureVerificationResult.FutureTimestamp)]
    public void Verify_Tolerance_AppliedBothWays(long clockOffset, SignatureVerificationResult expected)
    {
        Assert.Equal(expected, Create(Now + clockOffset).Verify(Body, VectorId, VectorTimestamp, VectorSignature));
    }

    [Fact]
    public void Verify_EmptyAnd25MegabyteBodies_Valid()
    {
        StandardWebhooksSignatureVerifier verifier = Create();
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify([], "id", VectorTimestamp, Oracle.StandardV1(VectorSecret, "id", Now, [])));
        byte[] big = new byte[25 * 1024 * 1024];
        new Random(3).NextBytes(big);
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(big, "id", VectorTimestamp, Oracle.StandardV1(VectorSecret, "id", Now, big)));
    }

    [Fact]
    public void Constructor_InvalidSecrets_Throw()
    {
        Assert.Throws<ArgumentNullException>("secret", () => new StandardWebhooksSignatureVerifier((string)null!));
        Assert.Throws<ArgumentException>("value", () => new StandardWebhooksSignatureVerifier(" "));
        Assert.Throws<ArgumentException>("secrets", () => new StandardWebhooksSignatureVerifier("whsec_"));
        ArgumentException ex = Assert.Throws<ArgumentException>("secrets", () => new StandardWebhooksSignatureVerifier("whsec_not*base64"));
        Assert.DoesNotContain("not*base64", ex.Message, StringComparison.Ordinal);
    }
}
