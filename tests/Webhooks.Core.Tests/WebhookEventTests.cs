using System;
using System.Collections.Generic;
using System.Linq;

namespace Webhooks.Tests;

public class WebhookEventTests
{
    /// <summary>
    /// Which headers differ per delivery is learnt from the providers of the registered sources; these tests make events
    /// without a receiver, so they register the built-in providers' headers as a receiver with those sources would.
    /// </summary>
    static WebhookEventTests()
    {
        WebhookHeaderInterner.AddPerDeliveryHeaders(new Webhooks.Providers.GitHubProvider().PerDeliveryHeaders);
        WebhookHeaderInterner.AddPerDeliveryHeaders(new Webhooks.Providers.StripeProvider().PerDeliveryHeaders);
        WebhookHeaderInterner.AddPerDeliveryHeaders(new Webhooks.Providers.StandardWebhooksProvider().PerDeliveryHeaders);
    }

    [Fact]
    public void Create_Headers_CaseInsensitiveLastValueWinsCredentialsDropped()
    {
        WebhookEvent e = WebhookEvent.Create("github", "d1", "push", new[]
        {
            new KeyValuePair<string, string>("X-GitHub-Event", "push"),
            new KeyValuePair<string, string>("x-github-event", "issues"),
            new KeyValuePair<string, string>("Authorization", "Bearer x"),
            new KeyValuePair<string, string>("Content-Type", "application/json"),
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch);

        Assert.Equal(2, e.Headers.Count);
        Assert.Equal("issues", e.Headers["X-GITHUB-EVENT"]);
        Assert.True(e.Headers.ContainsKey("content-type"));
        Assert.False(e.Headers.TryGetValue("authorization", out _));
        Assert.Throws<KeyNotFoundException>(() => e.Headers["Cookie"]);
        Assert.Equal(["X-GitHub-Event", "Content-Type"], e.Headers.Keys.ToArray());
        Assert.Equal(["issues", "application/json"], e.Headers.Values.ToArray());
        Assert.Empty(WebhookEvent.Create("github", "d2", "push", [], default, default).Headers);
    }

    [Fact]
    public void Create_RepeatingValuesShared_PerDeliveryValuesNot()
    {
        WebhookEvent Make(string id) => WebhookEvent.Create("github", id, new string("push".AsSpan()), new Dictionary<string, string>
        {
            [new string("User-Agent".AsSpan())] = new string("GitHub-Hookshot/abc".AsSpan()),
            ["X-GitHub-Delivery"] = id,
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch);

        WebhookEvent a = Make("delivery-a");
        WebhookEvent b = Make("delivery-b");
        Assert.Same(a.Headers["User-Agent"], b.Headers["User-Agent"]);
        Assert.Same(a.Headers.Keys.First(), b.Headers.Keys.First());
        Assert.Same(a.EventType, b.EventType);
        Assert.Equal("delivery-b", b.Headers["X-GitHub-Delivery"]);
    }

    [Fact]
    public void Create_PerDeliveryValuesPacked_ReadBackExactlyInOrder()
    {
        string signature = "sha256=" + new string('a', 64);
        string longValue = new('z', 200);
        WebhookEvent e = WebhookEvent.Create("github", "d1", "push", new[]
        {
            new KeyValuePair<string, string>("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
            new KeyValuePair<string, string>("Content-Type", "application/json"),
            new KeyValuePair<string, string>("X-Hub-Signature-256", "sha256=old"),
            new KeyValuePair<string, string>("X-Long", longValue),
            new KeyValuePair<string, string>("X-Hub-Signature-256", signature),
            new KeyValuePair<string, string>("X-Request-Id", "caf\u00e9"),
            new KeyValuePair<string, string>("webhook-id", "tab\there"),
            new KeyValuePair<string, string>("Date", ""),
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch);

        // Values that differ per delivery are packed as ASCII; anything else (non-ASCII, control characters, empty) stays a string.
        Assert.Equal(
            [
                new("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
                new("Content-Type", "application/json"),
                new("X-Hub-Signature-256", signature),
                new("X-Long", longValue),
                new("X-Request-Id", "caf\u00e9"),
                new("webhook-id", "tab\there"),
                new KeyValuePair<string, string>("Date", ""),
            ],
            e.Headers.ToArray());
        Assert.Equal(signature, e.Headers["x-hub-signature-256"]);
        Assert.Equal(longValue, e.Headers["X-Long"]);
        Assert.Equal("caf\u00e9", e.Headers["X-Request-Id"]);
        Assert.True(e.Headers.TryGetValue("X-GitHub-Delivery", out string? delivery));
        Assert.Equal("72d3162e-cc78-11e3-81ab-4c9367dc0958", delivery);
        Assert.Equal(e.Headers.Select(h => h.Value), e.Headers.Values);
    }

    [Fact]
    public void Create_PerDeliveryValues_OneByteEachCharacter()
    {
        static int SizeWith(string signature) => ((WebhookHeaders)WebhookEvent.Create("github", "d1", "push", new[]
        {
            new KeyValuePair<string, string>("Content-Type", "application/json"),
            new KeyValuePair<string, string>("X-Hub-Signature-256", signature),
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch).Headers).ApproximateSize;

        Assert.Equal(100, SizeWith(new string('a', 200)) - SizeWith(new string('a', 100)));
        Assert.Equal(200, SizeWith(new string('\u00e9', 200)) - SizeWith(new string('\u00e9', 100)));
    }

    [Fact]
    public void Create_SameSender_ShapeShared_PerDeliveryValuesKeptApart()
    {
        static WebhookHeaders Make(string delivery, string requestId) => (WebhookHeaders)WebhookEvent.Create("github", delivery, "push", new[]
        {
            new KeyValuePair<string, string>("Content-Type", "application/json"),
            new KeyValuePair<string, string>("X-GitHub-Delivery", delivery),
            new KeyValuePair<string, string>("X-Request-Id", requestId),
        }, new byte[] { 1 }, DateTimeOffset.UnixEpoch).Headers;

        WebhookHeaders a = Make("a", "r1");
        WebhookHeaders b = Make("b", "");
        WebhookHeaders c = Make("c", "caf\u00e9");
        Assert.True(a.SharesShapeWith(b));
        Assert.False(a.SharesShapeWith(c));
        Assert.Equal(("a", "r1"), (a["X-GitHub-Delivery"], a["X-Request-Id"]));
        Assert.Equal(("b", ""), (b["X-GitHub-Delivery"], b["X-Request-Id"]));
        Assert.Equal(("c", "caf\u00e9"), (c["X-GitHub-Delivery"], c["X-Request-Id"]));
    }
    [Fact]
    public void Create_RepeatedAndChangedHeaderLists_EveryDeliveryReadsBackAsSent()
    {
        // Deliveries repeat a few header lists (so that the lists remembered as templates are met again), each changed at random:
        // a value, a name's case, the order, a name given twice, a credential, a value that is not ASCII or is long. Every
        // delivery must read back as sent: names as first given, the last value of each, credentials dropped, in order.
        var random = new Random(20261207);
        string[][] bases =
        [
            ["Host", "example.test", "Content-Type", "application/json", "User-Agent", "GitHub-Hookshot/1", "X-GitHub-Event", "push", "X-GitHub-Delivery", "d", "X-Hub-Signature-256", "sha256=ab"],
            ["Content-Type", "application/json", "Stripe-Signature", "t=1,v1=ab", "User-Agent", "Stripe/1.0"],
            ["webhook-id", "msg_1", "webhook-timestamp", "1700000000", "webhook-signature", "v1,abc", "Content-Length", "120", "X-Custom", "same"],
        ];
        for (int n = 0; n < 3000; n++)
        {
            string[] chosen = bases[random.Next(bases.Length)];
            var sent = new List<KeyValuePair<string, string>>();
            for (int i = 0; i < chosen.Length; i += 2)
            {
                string value = chosen[i + 1];
                if (chosen[i] is "X-GitHub-Delivery" or "webhook-id" or "X-Hub-Signature-256" || random.Next(10) == 0)
                {
                    value += n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                sent.Add(new(chosen[i], value));
            }

            switch (random.Next(12))
            {
                case 0: sent[random.Next(sent.Count)] = new(sent[0].Key.ToUpperInvariant(), "upper"); break;
                case 1: sent.Reverse(); break;
                case 2: sent.Add(new(sent[random.Next(sent.Count)].Key.ToLowerInvariant(), "again")); break;
                case 3: sent.Insert(random.Next(sent.Count + 1), new("Authorization", "Bearer secret")); break;
                case 4: sent[random.Next(sent.Count)] = new(sent[random.Next(sent.Count)].Key, "grüße " + n); break;
                case 5: sent[random.Next(sent.Count)] = new(sent[random.Next(sent.Count)].Key, new string('v', 70 + (n % 5))); break;
                case 6: sent[random.Next(sent.Count)] = new(sent[random.Next(sent.Count)].Key, "tab\there"); break;
                case 7: sent.RemoveAt(random.Next(sent.Count)); break;
                default: break;
            }

            var expected = new List<KeyValuePair<string, string>>();
            foreach (KeyValuePair<string, string> header in sent)
            {
                if (header.Key is "Authorization" or "Cookie")
                {
                    continue;
                }

                int at = expected.FindIndex(e => string.Equals(e.Key, header.Key, StringComparison.OrdinalIgnoreCase));
                if (at >= 0)
                {
                    expected[at] = new(expected[at].Key, header.Value);
                }
                else
                {
                    expected.Add(header);
                }
            }

            WebhookEvent e = WebhookEvent.Create("s", "d" + n, "t", sent.ToArray(), new byte[] { 1 }, DateTimeOffset.UnixEpoch);

            Assert.Equal(expected, e.Headers.ToList());
            Assert.Equal(expected.Count, e.Headers.Count);
            foreach (KeyValuePair<string, string> header in expected)
            {
                Assert.Equal(header.Value, e.Headers[header.Key.ToUpperInvariant()]);
            }
        }
    }
}
