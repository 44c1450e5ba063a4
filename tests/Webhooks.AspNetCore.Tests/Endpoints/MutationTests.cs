using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webhooks.Testing;
using Xunit.Abstractions;

namespace Webhooks.AspNetCore.Tests.Endpoints;

/// <summary>
/// Thousands of random mutations of correctly signed deliveries per scheme, from a seed that is printed (set
/// <c>WEBHOOKS_MUTATION_SEED</c> to repeat a run): a change to any signed byte is never accepted, and nothing a sender changes makes
/// the endpoint answer 5xx or log an error.
/// </summary>
public class MutationTests(ITestOutputHelper output)
{
    private const int MutationsPerScheme = 1500;

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");

    public static TheoryData<string> Schemes() => new() { "github", "stripe", "acme", "svix" };

    /// <summary>Standard Webhooks, under its own header names (acme) or Svix's (svix, sent to the same acme source).</summary>
    private static bool IsStandard(string scheme) => scheme is "acme" or "svix";

    private static string Prefix(string scheme) => scheme == "svix" ? "svix" : "webhook";

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task RandomMutationsOfSignedDeliveries_SignedBytesNeverAccepted_NoServerError(string scheme)
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("WEBHOOKS_MUTATION_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();
        output.WriteLine($"{scheme}: WEBHOOKS_MUTATION_SEED={seed}");
        var random = new Random(seed);
        var logs = new LogCapture();
        await using ReceiverHost host = await ReceiverHost.StartAsync(s => s.AddLogging(b => b.AddProvider(logs)));

        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < MutationsPerScheme; i++)
        {
            Delivery delivery = await CreateAsync(scheme, random, i);
            (string kind, bool signedChanged) = Mutate(scheme, delivery, random);
            using HttpRequestMessage request = delivery.ToRequest(scheme);
            using HttpResponseMessage response = await host.Client.SendAsync(request);
            int status = (int)response.StatusCode;
            string context = $"seed {seed}, mutation {i} ({kind})";
            Assert.True(status < 500, $"{context}: answered {status}");
            Assert.True(!signedChanged || status >= 400, $"{context}: a changed signed byte was answered {status}");
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            string key = kind + " " + status.ToString(CultureInfo.InvariantCulture);
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }

        foreach (KeyValuePair<string, int> outcome in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {outcome.Key}: {outcome.Value}");
        }

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);

        // The receiver still works: an untouched delivery is accepted.
        Delivery control = await CreateAsync(scheme, random, -1);
        using HttpResponseMessage accepted = await host.Client.SendAsync(control.ToRequest(scheme));
        Assert.Equal(202, (int)accepted.StatusCode);
    }

    private static async Task<Delivery> CreateAsync(string scheme, Random random, int n)
    {
        string payload = "{\"n\":" + n.ToString(CultureInfo.InvariantCulture) + ",\"r\":\"" + random.Next().ToString("x8", CultureInfo.InvariantCulture) + "\",\"s\":\"é✓\"}";
        using HttpRequestMessage request = scheme switch
        {
            "github" => WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", payload),
            "stripe" => WebhookRequests.Stripe(ReceiverHost.StripeSecret, WebhookRequests.StripeEvent("charge.succeeded", "evt_" + Guid.NewGuid().ToString("N"), payload)),
            _ => WebhookRequests.StandardWebhooks(ReceiverHost.AcmeSecret, "/webhooks/acme", "{\"type\":\"t.x\",\"data\":" + payload + "}"),
        };
        var headers = new List<(string Name, string Value)>();
        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
        {
            // Svix's senders use the svix-* names for the same headers.
            string name = scheme == "svix" && header.Key.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase) ? "svix-" + header.Key["webhook-".Length..] : header.Key;
            headers.AddRange(header.Value.Select(v => (name, v)));
        }

        return new Delivery(await request.Content!.ReadAsByteArrayAsync(), headers);
    }

    /// <summary>Changes the delivery at random; says what changed and whether it was a byte the signature covers.</summary>
    private static (string Kind, bool SignedChanged) Mutate(string scheme, Delivery d, Random random)
    {
        string signature = scheme switch { "github" => "X-Hub-Signature-256", "stripe" => "Stripe-Signature", _ => Prefix(scheme) + "-signature" };
        switch (random.Next(8))
        {
            case 0:
            {
                int at = random.Next(d.Body.Count);
                d.Body[at] ^= (byte)random.Next(1, 256);
                return ("body byte", true);
            }

            case 1:
            {
                int at = random.Next(d.Body.Count);
                d.Body.RemoveRange(at, random.Next(1, d.Body.Count - at + 1));
                return ("body cut", true);
            }

            case 2:
            {
                d.Body.InsertRange(random.Next(d.Body.Count + 1), Enumerable.Range(0, random.Next(1, 4)).Select(_ => (byte)random.Next(256)));
                return ("body grown", true);
            }

            case 3:
            {
                string value = d.Get(signature)!;
                int at = SignatureDigit(scheme, value, random);
                char replaced = OtherDigit(scheme, value[at], random);
                d.Set(signature, value[..at] + replaced + value[(at + 1)..]);
                return ("signature digit", true);
            }

            case 4:
                if (scheme == "github")
                {
                    d.Remove(signature);
                    return ("signature removed", true);
                }

                string stamped = scheme == "stripe" ? signature : Prefix(scheme) + "-timestamp";
                string stamp = d.Get(stamped)!;
                int digit = stamp.IndexOfAny(Digits) + random.Next(4);
                d.Set(stamped, stamp[..digit] + (char)('0' + ((stamp[digit] - '0' + random.Next(1, 10)) % 10)) + stamp[(digit + 1)..]);
                return ("timestamp digit", true);

            case 5:
                if (IsStandard(scheme))
                {
                    d.Set(Prefix(scheme) + "-id", Garbage(random));
                    return ("signed id", d.Get(Prefix(scheme) + "-id") != null);
                }

                // GitHub's id and event headers, and Stripe's other headers, are not signed: anything may happen but a 5xx.
                d.Set(scheme == "github" ? "X-GitHub-Delivery" : "X-Request-Id", Garbage(random));
                return ("unsigned id", false);

            case 6:
                d.Headers.Add((random.Next(2) == 0 ? signature : "X-GitHub-Event", Garbage(random)));
                return ("header repeated", false);

            default:
                d.ContentType = random.Next(3) switch { 0 => "text/plain", 1 => "application/x-www-form-urlencoded", _ => Garbage(random) };
                return ("content type", false);
        }
    }

    /// <summary>The index of a digit inside the signature value proper (not its scheme prefix, not base64 padding).</summary>
    private static int SignatureDigit(string scheme, string value, Random random) => scheme switch
    {
        "github" => "sha256=".Length + random.Next(64),
        "stripe" => value.IndexOf("v1=", StringComparison.Ordinal) + 3 + random.Next(64),
        _ => "v1,".Length + random.Next(value.Length - "v1,".Length - 2),
    };

    private static char OtherDigit(string scheme, char current, Random random)
    {
        const string Hex = "0123456789abcdef";
        const string Base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        string alphabet = IsStandard(scheme) ? Base64 : Hex;
        char next;
        do
        {
            next = alphabet[random.Next(alphabet.Length)];
        }
        while (IsStandard(scheme) ? next == current : char.ToLowerInvariant(next) == char.ToLowerInvariant(current));

        return next;
    }

    /// <summary>Printable ASCII of random length (at times longer than an id may be), never empty once trimmed.</summary>
    internal static string Garbage(Random random)
    {
        var text = new StringBuilder();
        int length = random.Next(0, 3) == 0 ? random.Next(190, 260) : random.Next(1, 24);
        for (int i = 0; i < length; i++)
        {
            text.Append((char)random.Next(0x20, 0x7F));
        }

        return text.ToString().Trim() is { Length: > 0 } trimmed ? trimmed : "x";
    }

    private sealed class Delivery(byte[] body, List<(string Name, string Value)> headers)
    {
        public List<byte> Body { get; } = [.. body];

        public List<(string Name, string Value)> Headers { get; } = headers;

        public string ContentType { get; set; } = "application/json";

        public string? Get(string name) => Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

        public void Set(string name, string value)
        {
            Remove(name);
            Headers.Add((name, value));
        }

        public void Remove(string name) => Headers.RemoveAll(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));

        public HttpRequestMessage ToRequest(string scheme)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/" + (scheme == "svix" ? "acme" : scheme)) { Content = new ByteArrayContent([.. Body]) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            foreach ((string name, string value) in Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            return request;
        }
    }
}
