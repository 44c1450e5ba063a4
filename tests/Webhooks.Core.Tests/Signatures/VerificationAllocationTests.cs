using System;
using System.Globalization;
using System.Text;
using Webhooks.Signatures;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Signatures;

/// <summary>
/// Guards the zero-allocation promise (the figures themselves come from the benchmarks): counts bytes allocated on this thread,
/// which is deterministic, after one warm-up call that fills the keyed-hash pool.
/// </summary>
public class VerificationAllocationTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(new string('x', 8192));

    [Fact]
    public void Verify_AllSchemesAfterWarmUp_AllocateNothing()
    {
        const long now = 1_700_000_000;
        var clock = ManualTimeProvider.AtUnixSeconds(now);
        var gh = new GitHubSignatureVerifier([new WebhookSecret("a"), new WebhookSecret("b")], clock);
        var stripe = new StripeSignatureVerifier([new WebhookSecret("whsec_a"), new WebhookSecret("whsec_b")], null, clock);
        var sw = new StandardWebhooksSignatureVerifier([new WebhookSecret("whsec_c2VjcmV0")], null, clock);
        string ghHeader = new GitHubSigner("b").Sign(Body);
        string stripeHeader = "t=1700000000,v1=00,v0=11," + new StripeSigner("whsec_b", clock).Sign(Body)[13..];
        string swHeader = "v1,AAAA " + new StandardWebhooksSigner("whsec_c2VjcmV0", clock).Sign("msg_1", Body);
        string timestamp = now.ToString(CultureInfo.InvariantCulture);

        Assert.Equal(SignatureVerificationResult.Valid, gh.Verify(Body, ghHeader));
        Assert.Equal(SignatureVerificationResult.Valid, stripe.Verify(Body, stripeHeader));
        Assert.Equal(SignatureVerificationResult.Valid, sw.Verify(Body, "msg_1", timestamp, swHeader));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            gh.Verify(Body, ghHeader);
            gh.Verify(Body, "sha256=bad");
            stripe.Verify(Body, stripeHeader);
            stripe.Verify(Body, "t=1,v1=00");
            sw.Verify(Body, "msg_1", timestamp, swHeader);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
