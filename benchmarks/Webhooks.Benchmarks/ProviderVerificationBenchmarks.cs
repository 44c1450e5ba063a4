using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Primitives;
using Webhooks.Providers;
using Webhooks.Signatures;
using Webhooks.Sources;
using Webhooks.Testing;

namespace Webhooks.Benchmarks;

/// <summary>
/// Every provider's verification through its public <see cref="WebhookVerifier"/>, over an 8 KiB JSON delivery signed as the
/// provider signs it (Webhooks.Testing) with the headers it sends: the HMAC schemes allocate nothing; Ed25519 and ECDSA cost
/// what their curves cost.
/// </summary>
public class ProviderVerificationBenchmarks
{
    private const string Secret = "benchmark-secret-0123456789";
    private static readonly byte[] Ed25519Key = Enumerable.Repeat((byte)7, 32).ToArray();

    private WebhookVerifier _verifier = null!;
    private Dictionary<string, StringValues> _headers = null!;
    private byte[] _body = [];
    private string? _url;

    [Params("github", "stripe", "standardwebhooks", "shopify", "slack", "twilio", "paddle", "linear", "square", "zoom", "twitch", "gitlab", "discord", "sendgrid")]
    public string Provider { get; set; } = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        // An 8 KiB JSON object whose first fields are what each provider reads; Linear signs its timestamp inside the body.
        string fields = "{\"id\":\"evt_1\",\"type\":\"push\",\"event_id\":\"evt_1\",\"event_type\":\"push\",\"object_kind\":\"push\",\"webhookTimestamp\":"
            + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + ",\"data\":\"";
        string json = fields + new string('x', 8192 - fields.Length - 2) + "\"}";
        var url = new Uri("https://example.com/webhooks/" + Provider + "?tenant=7");
        using ECDsa sendGrid = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string key = Provider switch
        {
            "standardwebhooks" => "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)),
            "discord" => Convert.ToHexString(WebhookRequests.Ed25519PublicKey(Ed25519Key)),
            "sendgrid" => Convert.ToBase64String(sendGrid.ExportSubjectPublicKeyInfo()),
            _ => Secret,
        };
        (WebhookProvider provider, HttpRequestMessage request) = Provider switch
        {
            "github" => ((WebhookProvider)new GitHubProvider(), WebhookRequests.GitHub(key, "push", json)),
            "stripe" => (new StripeProvider(), WebhookRequests.Stripe(key, json)),
            "standardwebhooks" => (new StandardWebhooksProvider(), WebhookRequests.StandardWebhooks(key, "/webhooks/x", json)),
            "shopify" => (new ShopifyProvider(), WebhookRequests.Shopify(key, "orders/create", json)),
            "slack" => (new SlackProvider(), WebhookRequests.Slack(key, json)),
            "twilio" => (new TwilioProvider(), WebhookRequests.Twilio(key, url, [new("MessageStatus", "delivered"), new("Body", new string('x', 8000)), new("From", "+14155550100"), new("To", "+31612345678")])),
            "paddle" => (new PaddleProvider(), WebhookRequests.Paddle(key, json)),
            "linear" => (new LinearProvider(), WebhookRequests.Linear(key, "Issue", json)),
            "square" => (new SquareProvider(), WebhookRequests.Square(key, url, json)),
            "zoom" => (new ZoomProvider(), WebhookRequests.Zoom(key, json)),
            "twitch" => (new TwitchProvider(), WebhookRequests.Twitch(key, "notification", json)),
            "gitlab" => (new GitLabProvider(), WebhookRequests.GitLab(key, "Push Hook", json)),
            "discord" => (new DiscordProvider(), WebhookRequests.Discord(Ed25519Key, json)),
            _ => (new SendGridProvider(), WebhookRequests.SendGrid(sendGrid, "[" + json + "]")),
        };

        using (request)
        {
            _body = await request.Content!.ReadAsByteArrayAsync().ConfigureAwait(false);
            _headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers.Concat(request.Content.Headers))
            {
                _headers[header.Key] = new StringValues([.. header.Value]);
            }
        }

        _url = provider.SignsUrl ? url.OriginalString : null;
        var source = new WebhookSource(Provider, provider, Provider);
        _verifier = provider.CreateVerifier(new WebhookVerifierContext(source, [new WebhookSecret(key)], new WebhookSourceOptions(), TimeProvider.System));
        if (Verify() != SignatureVerificationResult.Valid)
        {
            throw new InvalidOperationException($"The benchmark's {Provider} delivery does not verify.");
        }
    }

    [Benchmark]
    public SignatureVerificationResult Verify() => _verifier.Verify(new WebhookRequest(_body, _headers, "POST", _url));
}
