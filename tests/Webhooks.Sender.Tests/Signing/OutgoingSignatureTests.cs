using System.Text;
using Webhooks.Sender.Signing;
using Webhooks.Sender.Subscriptions;
using Webhooks.Signatures;

namespace Webhooks.Sender.Tests.Signing;

public sealed class OutgoingSignatureTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"type":"invoice.paid","data":{"id":"in_1"}}""");

    [Fact]
    public void Apply_StandardWebhooks_VerifiesWithTheReceiversVerifier()
    {
        string secret = WebhookSubscriptions.NewSecret();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://hooks.example.com/in");

        OutgoingSignature.Apply(request, Subscription(WebhookSignatureStyle.StandardWebhooks, new WebhookSigningSecret(secret, Now, null)), "msg_1", "invoice.paid", Body, Now);

        Assert.Equal("msg_1", Header(request, "webhook-id"));
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Header(request, "webhook-timestamp"));
        Assert.Equal(SignatureVerificationResult.Valid, Verify(secret, request));
        Assert.NotEqual(SignatureVerificationResult.Valid, Verify(WebhookSubscriptions.NewSecret(), request));
    }

    [Fact]
    public void Apply_DuringRotation_BothSecretsVerify()
    {
        string current = WebhookSubscriptions.NewSecret();
        string previous = WebhookSubscriptions.NewSecret();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://hooks.example.com/in");
        WebhookSubscription subscription = Subscription(
            WebhookSignatureStyle.StandardWebhooks,
            new WebhookSigningSecret(current, Now, null),
            new WebhookSigningSecret(previous, Now.AddDays(-30), Now.AddHours(1)));

        OutgoingSignature.Apply(request, subscription, "msg_1", "invoice.paid", Body, Now);

        Assert.Equal(2, Header(request, "webhook-signature").Split(' ').Length);
        Assert.Equal(SignatureVerificationResult.Valid, Verify(current, request));
        Assert.Equal(SignatureVerificationResult.Valid, Verify(previous, request));
    }

    [Fact]
    public void Apply_AfterTheOverlap_OnlyTheNewSecretSigns()
    {
        string current = WebhookSubscriptions.NewSecret();
        string previous = WebhookSubscriptions.NewSecret();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://hooks.example.com/in");
        WebhookSubscription subscription = Subscription(
            WebhookSignatureStyle.StandardWebhooks,
            new WebhookSigningSecret(current, Now.AddHours(-2), null),
            new WebhookSigningSecret(previous, Now.AddDays(-30), Now.AddHours(-1)));

        OutgoingSignature.Apply(request, subscription, "msg_1", "invoice.paid", Body, Now);

        Assert.Single(Header(request, "webhook-signature").Split(' '));
        Assert.Equal(SignatureVerificationResult.Valid, Verify(current, request));
        Assert.NotEqual(SignatureVerificationResult.Valid, Verify(previous, request));
    }

    [Fact]
    public void Apply_GitHubStyle_SignsWithTheOldestSecretInUse()
    {
        string current = WebhookSubscriptions.NewSecret();
        string previous = WebhookSubscriptions.NewSecret();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://hooks.example.com/in");
        WebhookSubscription subscription = Subscription(
            WebhookSignatureStyle.GitHub,
            new WebhookSigningSecret(current, Now, null),
            new WebhookSigningSecret(previous, Now.AddDays(-30), Now.AddHours(1)));

        OutgoingSignature.Apply(request, subscription, "msg_1", "invoice.paid", Body, Now);

        Assert.Equal("msg_1", Header(request, "X-GitHub-Delivery"));
        Assert.Equal("invoice.paid", Header(request, "X-GitHub-Event"));
        Assert.Equal(SignatureVerificationResult.Valid, new GitHubSignatureVerifier(previous).Verify(Body, Header(request, "X-Hub-Signature-256")));
        Assert.NotEqual(SignatureVerificationResult.Valid, new GitHubSignatureVerifier(current).Verify(Body, Header(request, "X-Hub-Signature-256")));
    }

    private static SignatureVerificationResult Verify(string secret, HttpRequestMessage request) =>
        new StandardWebhooksSignatureVerifier(secret).Verify(Body, Header(request, "webhook-id"), Header(request, "webhook-timestamp"), Header(request, "webhook-signature"));

    private static string Header(HttpRequestMessage request, string name) => Assert.Single(request.Headers.GetValues(name));

    private static WebhookSubscription Subscription(WebhookSignatureStyle style, params WebhookSigningSecret[] secrets) => new()
    {
        Id = "sub_1",
        Url = "https://hooks.example.com/in",
        EventTypes = ["*"],
        SignatureStyle = style,
        Secrets = secrets,
    };
}
