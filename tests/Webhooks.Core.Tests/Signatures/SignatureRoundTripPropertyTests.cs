using System;
using System.Globalization;
using System.Text;
using Webhooks.Signatures;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Signatures;

/// <summary>Seeded random round trips and hostile inputs: reproducible from the seed in the failure message.</summary>
public class SignatureRoundTripPropertyTests
{
    private const int Cases = 300;
    private const string Alphabet = "abcXYZ019=,. \t-_+/é✓\u0000\uD800v1t";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SignThenVerify_AllSchemes_ValidAndAnyChangeRejected(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < Cases; i++)
        {
            byte[] body = RandomBytes(random, random.Next(0, 4096));
            long now = random.NextInt64(0, 4_000_000_000);
            var clock = ManualTimeProvider.AtUnixSeconds(now);
            string context = $"seed {seed} case {i}";

            string ghSecret = RandomText(random, 1, 40);
            var gh = new GitHubSignatureVerifier([new WebhookSecret(ghSecret)], clock);
            string ghSignature = new GitHubSigner(ghSecret).Sign(body);
            Assert.True(gh.Verify(body, ghSignature) == SignatureVerificationResult.Valid, context);

            string stripeSecret = "whsec_" + RandomText(random, 1, 40);
            var stripe = new StripeSignatureVerifier([new WebhookSecret(stripeSecret)], null, clock);
            string stripeSignature = new StripeSigner(stripeSecret, clock).Sign(body);
            Assert.True(stripe.Verify(body, stripeSignature) == SignatureVerificationResult.Valid, context);

            string swSecret = "whsec_" + Convert.ToBase64String(RandomBytes(random, random.Next(16, 64)));
            string id = "msg_" + RandomText(random, 1, 30).Replace(" ", "", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal);
            var sw = new StandardWebhooksSignatureVerifier([new WebhookSecret(swSecret)], null, clock);
            string swSignature = new StandardWebhooksSigner(swSecret, clock).Sign(id, body);
            string timestamp = now.ToString(CultureInfo.InvariantCulture);
            Assert.True(sw.Verify(body, id, timestamp, swSignature) == SignatureVerificationResult.Valid, context);

            if (body.Length > 0)
            {
                byte[] changed = (byte[])body.Clone();
                changed[random.Next(changed.Length)] ^= (byte)(1 << random.Next(8));
                Assert.True(gh.Verify(changed, ghSignature) == SignatureVerificationResult.Mismatch, context);
                Assert.True(stripe.Verify(changed, stripeSignature) == SignatureVerificationResult.Mismatch, context);
                Assert.True(sw.Verify(changed, id, timestamp, swSignature) == SignatureVerificationResult.Mismatch, context);
            }

            Assert.NotEqual(SignatureVerificationResult.Valid, gh.Verify(body, FlipOneChar(random, ghSignature, 7, ghSignature.Length)));
            Assert.NotEqual(SignatureVerificationResult.Valid, stripe.Verify(body, FlipOneChar(random, stripeSignature, stripeSignature.IndexOf("v1=", StringComparison.Ordinal) + 3, stripeSignature.Length)));
            Assert.NotEqual(SignatureVerificationResult.Valid, sw.Verify(body, id, timestamp, FlipOneChar(random, swSignature, 3, 3 + 42)));
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Verify_RandomHostileHeaders_NeverThrowsNeverValid(int seed)
    {
        var random = new Random(seed);
        var clock = ManualTimeProvider.AtUnixSeconds(1_700_000_000);
        var gh = new GitHubSignatureVerifier([new WebhookSecret("s")], clock);
        var stripe = new StripeSignatureVerifier([new WebhookSecret("whsec_s")], null, clock);
        var sw = new StandardWebhooksSignatureVerifier([new WebhookSecret("whsec_c2VjcmV0")], null, clock);
        byte[] body = RandomBytes(random, 100);
        for (int i = 0; i < 2_000; i++)
        {
            string header = RandomText(random, 0, 200);
            string prefixed = (i % 3) switch { 0 => "sha256=" + header, 1 => "t=1700000000,v1=" + header, _ => "v1," + header };
            Assert.NotEqual(SignatureVerificationResult.Valid, gh.Verify(body, header));
            Assert.NotEqual(SignatureVerificationResult.Valid, gh.Verify(body, prefixed));
            Assert.NotEqual(SignatureVerificationResult.Valid, stripe.Verify(body, header));
            Assert.NotEqual(SignatureVerificationResult.Valid, stripe.Verify(body, prefixed));
            Assert.NotEqual(SignatureVerificationResult.Valid, sw.Verify(body, header, header, header));
            Assert.NotEqual(SignatureVerificationResult.Valid, sw.Verify(body, "id", "1700000000", prefixed));
        }
    }

    // Only characters that carry MAC bits: the last base64 character before '=' also holds padding bits.
    private static string FlipOneChar(Random random, string signature, int from, int to)
    {
        char[] chars = signature.ToCharArray();
        int at = random.Next(from, to);
        chars[at] = chars[at] == '0' ? '1' : '0'; // a digit in both hex and base64, never a case change
        return new string(chars);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string RandomText(Random random, int min, int max)
    {
        var builder = new StringBuilder();
        int length = random.Next(min, max + 1);
        for (int i = 0; i < length; i++)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString().Trim() is { Length: > 0 } trimmed || min == 0 ? builder.ToString() : "x";
    }
}
