using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Webhooks.AspNetCore.Tests.Providers;

/// <summary>
/// Random mutations of each provider's SDK-signed delivery, from a printed seed (<c>WEBHOOKS_MUTATION_SEED</c> repeats a run): a
/// change to any byte the scheme signs is never accepted, and nothing a sender changes makes the endpoint answer 5xx or log an
/// error. The same guarantee as <see cref="Endpoints.MutationTests"/>, for every provider.
/// </summary>
public sealed class ProviderMutationTests(ITestOutputHelper output)
{
    private const int Mutations = 400;

    /// <summary>Where each scheme's signature is: its header, the text before the MAC, and how the MAC is written.</summary>
    private static readonly Dictionary<string, (string Header, string Before, Alphabet Text)> Signatures = new(StringComparer.Ordinal)
    {
        ["github"] = ("X-Hub-Signature-256", "sha256=", Alphabet.Hex),
        ["stripe"] = ("Stripe-Signature", "v1=", Alphabet.Hex),
        ["standardwebhooks"] = ("webhook-signature", "v1,", Alphabet.Base64),
        ["svix"] = ("svix-signature", "v1,", Alphabet.Base64),
        ["standardwebhooks-v1a"] = ("webhook-signature", "v1a,", Alphabet.Base64),
        ["shopify"] = ("X-Shopify-Hmac-Sha256", "", Alphabet.Base64),
        ["slack"] = ("X-Slack-Signature", "v0=", Alphabet.Hex),
        ["twilio"] = ("X-Twilio-Signature", "", Alphabet.Base64),
        ["paddle"] = ("Paddle-Signature", "h1=", Alphabet.Hex),
        ["linear"] = ("Linear-Signature", "", Alphabet.Hex),
        ["square"] = ("x-square-hmacsha256-signature", "", Alphabet.Base64),
        ["zoom"] = ("x-zm-signature", "v0=", Alphabet.Hex),
        ["twitch"] = ("Twitch-Eventsub-Message-Signature", "sha256=", Alphabet.Hex),
        ["gitlab"] = ("X-Gitlab-Token", "", Alphabet.Any),
        ["discord"] = ("X-Signature-Ed25519", "", Alphabet.Hex),
        ["sendgrid"] = ("X-Twilio-Email-Event-Webhook-Signature", "", Alphabet.Base64),
    };

    /// <summary>Signed values outside the body: timestamps and ids, and where their digits start.</summary>
    private static readonly Dictionary<string, (string Header, string Before)[]> SignedHeaders = new(StringComparer.Ordinal)
    {
        ["stripe"] = [("Stripe-Signature", "t=")],
        ["standardwebhooks"] = [("webhook-timestamp", ""), ("webhook-id", "msg_")],
        ["svix"] = [("svix-timestamp", ""), ("svix-id", "msg_")],
        ["standardwebhooks-v1a"] = [("webhook-timestamp", ""), ("webhook-id", "msg_")],
        ["slack"] = [("X-Slack-Request-Timestamp", "")],
        ["paddle"] = [("Paddle-Signature", "ts=")],
        ["zoom"] = [("x-zm-request-timestamp", "")],
        ["twitch"] = [("Twitch-Eventsub-Message-Timestamp", ""), ("Twitch-Eventsub-Message-Id", "")],
        ["discord"] = [("X-Signature-Timestamp", "")],
        ["sendgrid"] = [("X-Twilio-Email-Event-Webhook-Timestamp", "")],
    };

    private enum Alphabet
    {
        Hex,
        Base64,
        Any,
    }

    public static TheoryData<string> Providers() => new(ProviderVectors.Providers.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RandomMutations_SignedBytesNeverAccepted_NoServerError(string provider)
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("WEBHOOKS_MUTATION_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();
        output.WriteLine($"{provider}: WEBHOOKS_MUTATION_SEED={seed}");
        var random = new Random(seed);
        JsonElement vector = ProviderVectors.All().First(v => v.Provider == provider && v.Case.GetProperty("expected").GetString() == "Valid" &&
            v.Case.TryGetProperty("read", out JsonElement read) && read.TryGetProperty("id", out _)).Case;
        byte[] body = Convert.FromBase64String(vector.GetProperty("body").GetString()!);
        var logs = new LogCapture();
        (IHost host, HttpClient client) = await ProviderVectors.StartAsync(provider, vector, logs);
        using (host)
        {
            var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < Mutations; i++)
            {
                List<byte> mutated = [.. body];
                List<(string Name, string Value)> headers = ProviderVectors.Headers(vector);
                (string kind, bool signedChanged) = Mutate(provider, mutated, headers, random);
                if (kind.StartsWith("body", StringComparison.Ordinal))
                {
                    // GitLab's token signs nothing of the body; Twilio signs a form's decoded parameters, which another encoding may keep.
                    signedChanged = provider != "gitlab" && (provider != "twilio" || !SameForm(body, [.. mutated]));
                }

                using HttpRequestMessage request = ProviderVectors.Request(provider, vector, [.. mutated], headers);
                using HttpResponseMessage response = await client.SendAsync(request);
                int status = (int)response.StatusCode;
                string context = $"seed {seed}, mutation {i} ({kind})";
                Assert.True(status < 500, $"{context}: answered {status}");
                Assert.True(!signedChanged || status >= 400, $"{context}: a changed signed byte was answered {status}");
                string key = kind + " " + status.ToString(CultureInfo.InvariantCulture);
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            }

            foreach (KeyValuePair<string, int> outcome in outcomes)
            {
                output.WriteLine($"  {outcome.Key}: {outcome.Value}");
            }

            Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);

            // The untouched delivery is still taken (saved now, or a duplicate of a mutation that changed nothing signed). GitLab's
            // token signs no body: a changed body under the same id was taken first, and the original is now a conflicting duplicate.
            using HttpResponseMessage control = await client.SendAsync(ProviderVectors.Request(provider, vector));
            Assert.True((int)control.StatusCode is 200 or 202 || (provider == "gitlab" && (int)control.StatusCode == 422), $"control answered {(int)control.StatusCode}");
            await host.StopAsync();
        }
    }

    private static (string Kind, bool SignedChanged) Mutate(string provider, List<byte> body, List<(string Name, string Value)> headers, Random random)
    {
        (string signature, string before, Alphabet alphabet) = Signatures[provider];
        switch (random.Next(8))
        {
            case 0:
            {
                int at = random.Next(body.Count);
                body[at] ^= (byte)random.Next(1, 256);
                return ("body byte", true);
            }

            case 1:
            {
                int at = random.Next(body.Count);
                body.RemoveRange(at, random.Next(1, body.Count - at + 1));
                return ("body cut", true);
            }

            case 2:
                body.InsertRange(random.Next(body.Count + 1), Enumerable.Range(0, random.Next(1, 4)).Select(_ => (byte)random.Next(256)));
                return ("body grown", true);

            case 3:
            {
                string value = Get(headers, signature)!;
                int start = value.IndexOf(before, StringComparison.Ordinal) + before.Length;

                // Base64's last significant character carries unused bits: leave it, and the padding, alone.
                int end = alphabet == Alphabet.Base64 ? value.TrimEnd('=').Length - 1 : value.Length;
                int semicolon = value.IndexOf(';', start);
                end = semicolon > 0 ? Math.Min(end, semicolon) : end;
                int at = start + random.Next(end - start);
                Set(headers, signature, value[..at] + Other(alphabet, value[at], random) + value[(at + 1)..]);
                return ("signature character", true);
            }

            case 4 when SignedHeaders.TryGetValue(provider, out (string Header, string Before)[]? signed):
            {
                (string header, string prefix) = signed[random.Next(signed.Length)];
                string value = Get(headers, header)!;
                int at = value.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length + random.Next(4);
                char replaced = char.IsAsciiDigit(value[at]) ? (char)('0' + ((value[at] - '0' + random.Next(1, 10)) % 10)) : value[at] == 'x' ? 'y' : 'x';
                Set(headers, header, value[..at] + replaced + value[(at + 1)..]);
                return ("signed header", true);
            }

            case 4:
            case 5:
                headers.RemoveAll(h => string.Equals(h.Name, signature, StringComparison.OrdinalIgnoreCase));
                return ("signature removed", true);

            case 6:
            {
                // Any header given again with garbage: the signature's, an id's, or one the scheme does not sign.
                (string name, _) = headers[random.Next(headers.Count)];
                headers.Add((random.Next(2) == 0 ? signature : name, Endpoints.MutationTests.Garbage(random)));
                return ("header repeated", false);
            }

            default:
                Set(headers, "Content-Type", random.Next(3) switch { 0 => "text/plain", 1 => "application/x-www-form-urlencoded", _ => Endpoints.MutationTests.Garbage(random) });
                return ("content type", false);
        }
    }

    private static char Other(Alphabet alphabet, char current, Random random)
    {
        string letters = alphabet switch
        {
            Alphabet.Hex => "0123456789abcdef",
            Alphabet.Base64 => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            _ => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
        };
        char next;
        do
        {
            next = letters[random.Next(letters.Length)];
        }
        while (alphabet == Alphabet.Hex ? char.ToLowerInvariant(next) == char.ToLowerInvariant(current) : next == current);

        return next;
    }

    /// <summary>Tells whether two form bodies hold the same distinct decoded name and value pairs (what Twilio signs).</summary>
    private static bool SameForm(byte[] original, byte[] mutated)
    {
        static string[] Pairs(byte[] form) => [.. Encoding.Latin1.GetString(form).Split('&').Where(p => p.Length > 0).Select(Decode).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

        static string Decode(string pair)
        {
            var bytes = new List<byte>();
            for (int i = 0; i < pair.Length; i++)
            {
                char c = pair[i];
                if (c == '+')
                {
                    bytes.Add((byte)' ');
                }
                else if (c == '%' && i + 2 < pair.Length && Uri.IsHexDigit(pair[i + 1]) && Uri.IsHexDigit(pair[i + 2]))
                {
                    bytes.Add(Convert.ToByte(pair.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else
                {
                    bytes.Add((byte)c);
                }
            }

            // A pair without '=' is a name with an empty value, as name= is.
            string text = Convert.ToHexString([.. bytes]);
            return pair.Contains('=', StringComparison.Ordinal) ? text : text + "3D";
        }

        return Pairs(original).SequenceEqual(Pairs(mutated), StringComparer.Ordinal);
    }

    private static string? Get(List<(string Name, string Value)> headers, string name) =>
        headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static void Set(List<(string Name, string Value)> headers, string name, string value)
    {
        headers.RemoveAll(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
        headers.Add((name, value));
    }
}
