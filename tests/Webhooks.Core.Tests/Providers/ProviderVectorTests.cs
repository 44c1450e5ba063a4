using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Providers;
using Webhooks.Signatures;
using Webhooks.Sources;

namespace Webhooks.Tests.Providers;

/// <summary>
/// Deliveries signed by the providers' own SDKs (tests/vectors, written by generate.mjs with the SDK and version named in each
/// file), verified through each provider's public <see cref="WebhookProvider"/>: valid ones verify and read as the provider
/// means (id, type, handshake), and tampered bodies, wrong secrets, stale or future timestamps are refused with the right result.
/// </summary>
public sealed class ProviderVectorTests
{
    /// <summary>The provider each vector file is for; svix is Standard Webhooks under Svix's header names.</summary>
    internal static readonly Dictionary<string, WebhookProvider> Providers = new(StringComparer.Ordinal)
    {
        ["github"] = new GitHubProvider(),
        ["stripe"] = new StripeProvider(),
        ["standardwebhooks"] = new StandardWebhooksProvider(),
        ["svix"] = new StandardWebhooksProvider(),
        ["standardwebhooks-v1a"] = new StandardWebhooksProvider(),
        ["shopify"] = new ShopifyProvider(),
        ["slack"] = new SlackProvider(),
        ["twilio"] = new TwilioProvider(),
        ["paddle"] = new PaddleProvider(),
        ["linear"] = new LinearProvider(),
        ["square"] = new SquareProvider(),
        ["zoom"] = new ZoomProvider(),
        ["twitch"] = new TwitchProvider(),
        ["gitlab"] = new GitLabProvider(),
        ["discord"] = new DiscordProvider(),
        ["sendgrid"] = new SendGridProvider(),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in VectorFiles())
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (JsonElement vector in document.RootElement.GetProperty("cases").EnumerateArray())
            {
                data.Add(Path.GetFileNameWithoutExtension(file), vector.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    [Fact]
    public void EveryProviderFile_NamesItsSdk_AndHasCases()
    {
        string[] files = VectorFiles();
        Assert.Equal(Providers.Keys.Order(StringComparer.Ordinal), files.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        foreach (string file in files)
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(file));
            // Made by the provider's SDK (named with its version), or, for providers without one, from its documentation.
            if (document.RootElement.TryGetProperty("sdk", out JsonElement sdk))
            {
                Assert.False(string.IsNullOrEmpty(sdk.GetString()));
                Assert.Matches(@"^\d+\.\d+\.\d+$", document.RootElement.GetProperty("version").GetString());
            }
            else
            {
                Assert.StartsWith("https://", document.RootElement.GetProperty("documentation").GetString(), StringComparison.Ordinal);
            }

            JsonElement[] cases = [.. document.RootElement.GetProperty("cases").EnumerateArray()];
            Assert.True(cases.Length >= 5, file);

            // Every file proves both sides: deliveries that verify (and read as the provider means) and ones that are refused.
            Assert.Contains(cases, c => c.GetProperty("expected").GetString() == "Valid" && c.TryGetProperty("read", out _));
            Assert.Contains(cases, c => c.GetProperty("expected").GetString() == "Mismatch");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SdkSignedDelivery_VerifiedAndReadAsTheProviderMeans(string provider, string name)
    {
        JsonElement vector = Load(provider, name);
        WebhookVerifier verifier = VerifierFor(provider, vector);
        byte[] body = Convert.FromBase64String(vector.GetProperty("body").GetString()!);
        var request = new WebhookRequest(body, Headers(vector), Text(vector, "method") ?? "POST", PublicUrl(vector));

        SignatureVerificationResult result = verifier.Precheck(request) is null ? verifier.Verify(request) : SignatureVerificationResult.Missing;

        Assert.Equal(Enum.Parse<SignatureVerificationResult>(vector.GetProperty("expected").GetString()!), result);
        if (vector.TryGetProperty("read", out JsonElement expected))
        {
            WebhookReadResult read = verifier.Read(request);
            Assert.Null(read.Error);
            if (expected.TryGetProperty("handshake", out JsonElement answer))
            {
                Assert.NotNull(read.Handshake);
                Assert.Null(read.DeliveryId);
                Assert.Equal(answer.GetString(), read.Handshake.Body);
            }
            else
            {
                Assert.Null(read.Handshake);
                Assert.Equal(expected.GetProperty("id").GetString(), read.DeliveryId);
                Assert.Equal(expected.GetProperty("type").GetString(), read.EventType);
            }
        }
    }

    internal static WebhookVerifier VerifierFor(string provider, JsonElement vector)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(vector.GetProperty("now").GetInt64()));
        WebhookSecret[] secrets = [.. vector.GetProperty("secrets").EnumerateArray().Select(s => new WebhookSecret(s.GetString()!))];
        var options = new WebhookSourceOptions();
        if (vector.TryGetProperty("options", out JsonElement settings))
        {
            options.PublicUrl = Text(settings, "PublicUrl");
            if (settings.TryGetProperty("ToleranceSeconds", out JsonElement seconds))
            {
                options.Tolerance = TimeSpan.FromSeconds(seconds.GetInt32());
            }
        }

        WebhookProvider scheme = Providers[provider];
        return scheme.CreateVerifier(new WebhookVerifierContext(new WebhookSource(provider, scheme, provider), secrets, options, time));
    }

    /// <summary>The URL the endpoint passes: the configured public URL when the case sets one, else the one the request came to.</summary>
    internal static string? PublicUrl(JsonElement vector) =>
        vector.TryGetProperty("options", out JsonElement options) && Text(options, "PublicUrl") is { } configured ? configured : Text(vector, "url");

    internal static Dictionary<string, StringValues> Headers(JsonElement vector) =>
        vector.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => new StringValues(h.Value.GetString()), StringComparer.OrdinalIgnoreCase);

    internal static string[] VectorFiles() => Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "vectors"), "*.json");

    internal static JsonElement Load(string provider, string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "vectors", provider + ".json")));
        return document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
