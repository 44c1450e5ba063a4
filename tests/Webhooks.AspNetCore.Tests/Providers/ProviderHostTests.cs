using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Webhooks.Providers;
using Webhooks.Signatures;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.AspNetCore.Tests.Providers;

/// <summary>
/// One receiver with every provider, fed by <c>Webhooks.Testing</c>'s requests (signed as each provider signs): each delivery is
/// saved under the id the provider gives it, each handshake is answered and nothing of it stored, and a provider of the user's
/// own, written with the public types only, works like the built-in ones.
/// </summary>
public sealed class ProviderHostTests
{
    private static readonly byte[] DiscordKey = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] SenderKey = RandomNumberGenerator.GetBytes(32);
    private static readonly ECDsa SendGridKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    [Fact]
    public async Task EveryProvider_TestingRequestsSaved_HandshakesAnsweredNotStored()
    {
        using IHost host = await StartAsync();
        HttpClient client = host.GetTestClient();
        var twilioUrl = new Uri("http://localhost/webhooks/twilio?tenant=7");
        var squareUrl = new Uri("http://localhost/webhooks/square");
        (HttpRequestMessage Request, string Id)[] deliveries =
        [
            (WebhookRequests.Shopify("shopify-secret", "orders/create", """{"id":1,"total_price":"4.00"}""", "shop-1"), "shopify:shop-1"),
            (WebhookRequests.Slack("slack-secret", WebhookRequests.SlackEvent("app_mention", "Ev0001")), "slack:Ev0001"),
            (WebhookRequests.Twilio("twilio-token", twilioUrl, [new("MessageStatus", "delivered"), new("Body", "Grüße & tot ziens")], "tw-1"), "twilio:tw-1"),
            (WebhookRequests.Paddle("paddle-secret", """{"event_id":"evt_01","event_type":"transaction.completed","data":{}}"""), "paddle:evt_01"),
            (WebhookRequests.Linear("linear-secret", "Issue", "{\"type\":\"Issue\",\"webhookTimestamp\":" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + "}", "lin-1"), "linear:lin-1"),
            (WebhookRequests.Square("square-key", squareUrl, """{"event_id":"sq-1","type":"payment.updated","data":{}}"""), "square:sq-1"),
            (WebhookRequests.Zoom("zoom-token", """{"event":"meeting.started","payload":{}}"""), ""),
            (WebhookRequests.Twitch("twitch-secret", "notification", """{"subscription":{"type":"channel.follow"},"event":{}}""", "tw-msg-1"), "twitch:tw-msg-1"),
            (WebhookRequests.GitLab("gitlab-token", "Push Hook", """{"object_kind":"push"}""", "gl-1"), "gitlab:gl-1"),
            (WebhookRequests.Discord(DiscordKey, """{"version":1,"application_id":"1","type":1,"event":{"type":"ENTITLEMENT_CREATE","data":{}}}"""), ""),
            (WebhookRequests.SendGrid(SendGridKey, """[{"email":"a@example.com","event":"delivered"}]"""), ""),
            (WebhookRequests.StandardWebhooksAsymmetric(SenderKey, "/webhooks/acme", """{"type":"user.created"}""", "msg_1"), "acme:msg_1"),
        ];

        foreach ((HttpRequestMessage request, string id) in deliveries)
        {
            using (request)
            {
                (int status, JsonElement body) = await ReceiverHost.ReadAsync(await client.SendAsync(request));
                Assert.True(status == 202, $"{request.RequestUri}: {status} {body}");
                if (id.Length > 0)
                {
                    Assert.Equal(id, body.GetProperty("id").GetString());
                }
            }
        }

        // The endpoint checks: answered as each provider asks, and never stored.
        IWebhookEventStore store = host.Services.GetRequiredService<IWebhookEventStore>();
        long stored = (await store.CountAsync()).Total;
        using HttpResponseMessage slack = await client.SendAsync(WebhookRequests.Slack("slack-secret", """{"type":"url_verification","challenge":"c-1"}"""));
        Assert.Equal("c-1", await slack.Content.ReadAsStringAsync());
        using HttpResponseMessage twitch = await client.SendAsync(WebhookRequests.Twitch("twitch-secret", "webhook_callback_verification", """{"challenge":"c-2","subscription":{"type":"channel.follow"}}"""));
        Assert.Equal("c-2", await twitch.Content.ReadAsStringAsync());
        using HttpResponseMessage zoom = await client.SendAsync(WebhookRequests.Zoom("zoom-token", """{"event":"endpoint.url_validation","payload":{"plainToken":"p-3"}}"""));
        string expected = Convert.ToHexStringLower(HMACSHA256.HashData("zoom-token"u8, "p-3"u8));
        Assert.Equal("{\"plainToken\":\"p-3\",\"encryptedToken\":\"" + expected + "\"}", await zoom.Content.ReadAsStringAsync());
        using HttpResponseMessage discord = await client.SendAsync(WebhookRequests.Discord(DiscordKey, """{"id":"9","application_id":"1","type":1,"token":"t","version":1}"""));
        Assert.Equal("{\"type\":1}", await discord.Content.ReadAsStringAsync());
        Assert.Equal(stored, (await store.CountAsync()).Total);

        // GitLab's token is never stored with the event.
        WebhookEvent gitlab = (await store.ReadAsync("gitlab:gl-1"))!;
        Assert.False(gitlab.Headers.TryGetValue("X-Gitlab-Token", out _));
        Assert.True(gitlab.Headers.TryGetValue("X-Gitlab-Event-UUID", out _));
    }

    [Fact]
    public async Task ProviderOfTheUsersOwn_PublicTypesOnly_VerifiesReadsAndAnswersItsHandshake()
    {
        using IHost host = await StartAsync();
        HttpClient client = host.GetTestClient();
        string body = """{"kind":"order.paid","order":42}""";

        using HttpResponseMessage accepted = await client.SendAsync(AcmePayProvider.Sign("acmepay-secret", "dlv-1", body));
        (int status, JsonElement answer) = await ReceiverHost.ReadAsync(accepted);
        Assert.Equal(202, status);
        Assert.Equal("acmepay:dlv-1", answer.GetProperty("id").GetString());
        WebhookEvent saved = (await host.Services.GetRequiredService<IWebhookEventStore>().ReadAsync("acmepay:dlv-1"))!;
        Assert.Equal("order.paid", saved.EventType);

        using HttpResponseMessage forged = await client.SendAsync(AcmePayProvider.Sign("guessed", "dlv-2", body));
        Assert.Equal(401, (int)forged.StatusCode);

        using HttpResponseMessage ping = await client.SendAsync(AcmePayProvider.Sign("acmepay-secret", "dlv-3", """{"kind":"ping","echo":"hello"}"""));
        Assert.Equal("hello", await ping.Content.ReadAsStringAsync());
    }

    private static async Task<IHost> StartAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:Shopify:Secret"] = "shopify-secret",
            ["Webhooks:Slack:Secret"] = "slack-secret",
            ["Webhooks:Twilio:Secret"] = "twilio-token",
            ["Webhooks:Paddle:Secret"] = "paddle-secret",
            ["Webhooks:Linear:Secret"] = "linear-secret",
            ["Webhooks:Square:Secret"] = "square-key",
            ["Webhooks:Zoom:Secret"] = "zoom-token",
            ["Webhooks:Twitch:Secret"] = "twitch-secret",
            ["Webhooks:GitLab:Secret"] = "gitlab-token",
            ["Webhooks:Discord:Secret"] = Convert.ToHexString(WebhookRequests.Ed25519PublicKey(DiscordKey)),
            ["Webhooks:SendGrid:Secret"] = Convert.ToBase64String(SendGridKey.ExportSubjectPublicKeyInfo()),
            ["Webhooks:Sources:acme:Secret"] = "whpk_" + Convert.ToBase64String(WebhookRequests.Ed25519PublicKey(SenderKey)),
            ["Webhooks:AcmePay:Secret"] = "acmepay-secret",
        };
        IHost host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s => s.AddRouting().AddWebhookReceiver()
                    .AddShopify().AddSlack().AddTwilio().AddPaddle().AddLinear().AddSquare().AddZoom().AddTwitch().AddGitLab().AddDiscord().AddSendGrid()
                    .AddSource(new AcmePayProvider()))
                .Configure(app => app.UseRouting().UseEndpoints(e => e.MapWebhooks())))
            .Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>
    /// A provider as a user writes one: <c>X-AcmePay-Signature</c> is the hex HMAC-SHA256 of the body, the id is in
    /// <c>X-AcmePay-Delivery</c>, the type in the body's <c>kind</c>, and a <c>ping</c> is answered with its <c>echo</c>.
    /// </summary>
    private sealed class AcmePayProvider() : WebhookProvider("AcmePay")
    {
        private static readonly string[] Fields = ["kind", "echo"];

        public override IReadOnlyCollection<string> PerDeliveryHeaders => ["X-AcmePay-Signature", "X-AcmePay-Delivery"];

        public override WebhookVerifier CreateVerifier(WebhookVerifierContext context) => new Verifier(context);

        public static HttpRequestMessage Sign(string secret, string delivery, string body)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(body);
            var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/acmepay") { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            request.Headers.Add("X-AcmePay-Delivery", delivery);
            request.Headers.Add("X-AcmePay-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), bytes)));
            return request;
        }

        private sealed class Verifier(WebhookVerifierContext context) : WebhookVerifier
        {
            private readonly byte[][] _keys = [.. context.Secrets.Select(s => Encoding.UTF8.GetBytes(s.Value))];

            public override SignatureVerificationResult Verify(in WebhookRequest request)
            {
                string header = request.Header("X-AcmePay-Signature");
                if (header.Length == 0)
                {
                    return SignatureVerificationResult.Missing;
                }

                Span<byte> candidate = stackalloc byte[32];
                if (header.Length != 64 || Convert.FromHexString(header, candidate, out _, out _) != System.Buffers.OperationStatus.Done)
                {
                    return SignatureVerificationResult.Malformed;
                }

                Span<byte> expected = stackalloc byte[32];
                bool matched = false;
                foreach (byte[] key in _keys)
                {
                    HMACSHA256.HashData(key, request.Body, expected);
                    matched |= CryptographicOperations.FixedTimeEquals(candidate, expected);
                }

                return matched ? SignatureVerificationResult.Valid : SignatureVerificationResult.Mismatch;
            }

            public override WebhookReadResult Read(in WebhookRequest request)
            {
                Span<string?> values = new string?[Fields.Length];
                if (!WebhookJsonFields.TryRead(request.Body, Fields, values))
                {
                    return WebhookReadResult.Invalid(WebhookReadError.InvalidJson);
                }

                return values[0] == "ping"
                    ? WebhookReadResult.Answer(WebhookHandshake.Text(values[1] ?? ""))
                    : WebhookReadResult.Event(request.Header("X-AcmePay-Delivery"), values[0] ?? "");
            }
        }
    }
}
