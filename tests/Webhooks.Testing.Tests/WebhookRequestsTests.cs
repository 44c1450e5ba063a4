using System;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Webhooks.Signatures;

namespace Webhooks.Testing.Tests;

public class WebhookRequestsTests
{
    [Fact]
    public async Task GitHub_HeadersAsGitHubSendsThem_SignatureVerifies()
    {
        using HttpRequestMessage request = WebhookRequests.GitHub("s3cret", "push", "{\"ref\":\"main\"}", "d-1");
        byte[] body = await request.Content!.ReadAsByteArrayAsync();

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/webhooks/github", request.RequestUri!.OriginalString);
        Assert.Equal("push", Header(request, "X-GitHub-Event"));
        Assert.Equal("d-1", Header(request, "X-GitHub-Delivery"));
        Assert.StartsWith("sha1=", Header(request, "X-Hub-Signature"), StringComparison.Ordinal);
        Assert.Equal("application/json", request.Content.Headers.ContentType!.MediaType);
        Assert.Equal(SignatureVerificationResult.Valid, new GitHubSignatureVerifier("s3cret").Verify(body, Header(request, "X-Hub-Signature-256")));
    }

    [Fact]
    public void GitHub_NoDeliveryId_FreshGuidEachTime()
    {
        using HttpRequestMessage a = WebhookRequests.GitHub("s", "push", "{}");
        using HttpRequestMessage b = WebhookRequests.GitHub("s", "push", "{}");
        Assert.True(Guid.TryParse(Header(a, "X-GitHub-Delivery"), out _));
        Assert.NotEqual(Header(a, "X-GitHub-Delivery"), Header(b, "X-GitHub-Delivery"));
    }

    [Fact]
    public async Task Stripe_SignedAtGivenTime_VerifiesWithinTolerance()
    {
        DateTimeOffset at = DateTimeOffset.UtcNow.AddSeconds(-30);
        using HttpRequestMessage request = WebhookRequests.Stripe("whsec_x", WebhookRequests.StripeEvent("charge.succeeded", "evt_1"), at);
        byte[] body = await request.Content!.ReadAsByteArrayAsync();
        string header = Header(request, "Stripe-Signature");

        Assert.StartsWith($"t={at.ToUnixTimeSeconds()},v1=", header, StringComparison.Ordinal);
        Assert.Equal(SignatureVerificationResult.Valid, new StripeSignatureVerifier("whsec_x").Verify(body, header));
    }

    [Fact]
    public void StripeEvent_IsAnEventObject()
    {
        using JsonDocument json = JsonDocument.Parse(WebhookRequests.StripeEvent("payment_intent.succeeded", "evt_\"q", "{\"amount\":5}"));
        Assert.Equal("evt_\"q", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("event", json.RootElement.GetProperty("object").GetString());
        Assert.Equal("payment_intent.succeeded", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("data").GetProperty("object").GetProperty("amount").GetInt32());
        Assert.StartsWith("evt_", JsonDocument.Parse(WebhookRequests.StripeEvent("x")).RootElement.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandardWebhooks_ThreeHeaders_SignatureVerifies()
    {
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        using HttpRequestMessage request = WebhookRequests.StandardWebhooks(secret, "/webhooks/acme", "{\"type\":\"a\"}", "msg_1");
        byte[] body = await request.Content!.ReadAsByteArrayAsync();
        Assert.Equal("msg_1", Header(request, "webhook-id"));
        Assert.Equal(SignatureVerificationResult.Valid, new StandardWebhooksSignatureVerifier(secret).Verify(
            body, Header(request, "webhook-id"), Header(request, "webhook-timestamp"), Header(request, "webhook-signature")));
    }

    [Fact]
    public void Arguments_Validated()
    {
        Assert.Throws<ArgumentException>("secret", () => WebhookRequests.GitHub("", "push", "{}"));
        Assert.Throws<ArgumentException>("eventType", () => WebhookRequests.GitHub("s", "", "{}"));
        Assert.Throws<ArgumentNullException>("body", () => WebhookRequests.Stripe("whsec_x", (string)null!));
        Assert.Throws<ArgumentNullException>("body", () => WebhookRequests.Stripe("whsec_x", (byte[])null!));
        Assert.Throws<ArgumentException>("type", () => WebhookRequests.StripeEvent(""));
    }

    private static string Header(HttpRequestMessage request, string name) => request.Headers.GetValues(name).Single();
}
