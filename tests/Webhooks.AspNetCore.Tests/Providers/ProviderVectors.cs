using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Providers;

namespace Webhooks.AspNetCore.Tests.Providers;

/// <summary>The SDK-signed vectors (tests/vectors) as HTTP requests to a receiver with that provider's source.</summary>
internal static class ProviderVectors
{
    /// <summary>The provider each vector file is for.</summary>
    public static readonly Dictionary<string, Func<WebhookProvider>> Providers = new(StringComparer.Ordinal)
    {
        ["github"] = () => new GitHubProvider(),
        ["stripe"] = () => new StripeProvider(),
        ["standardwebhooks"] = () => new StandardWebhooksProvider(),
        ["svix"] = () => new StandardWebhooksProvider(),
        ["standardwebhooks-v1a"] = () => new StandardWebhooksProvider(),
        ["shopify"] = () => new ShopifyProvider(),
        ["slack"] = () => new SlackProvider(),
        ["twilio"] = () => new TwilioProvider(),
        ["paddle"] = () => new PaddleProvider(),
        ["linear"] = () => new LinearProvider(),
        ["square"] = () => new SquareProvider(),
        ["zoom"] = () => new ZoomProvider(),
        ["twitch"] = () => new TwitchProvider(),
        ["gitlab"] = () => new GitLabProvider(),
        ["discord"] = () => new DiscordProvider(),
        ["sendgrid"] = () => new SendGridProvider(),
    };

    public static IEnumerable<(string Provider, JsonElement Case)> All()
    {
        foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "vectors"), "*.json").Order(StringComparer.Ordinal))
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (JsonElement vector in document.RootElement.GetProperty("cases").EnumerateArray())
            {
                yield return (Path.GetFileNameWithoutExtension(file), vector.Clone());
            }
        }
    }

    public static JsonElement Load(string provider, string name) => All().Single(v => v.Provider == provider && v.Case.GetProperty("name").GetString() == name).Case;

    /// <summary>
    /// A receiver whose only source is <paramref name="provider"/>'s, named after the file, holding the case's secrets, its public
    /// URL where the scheme signs one, and a clock at the case's time.
    /// </summary>
    public static async Task<(IHost Host, HttpClient Client)> StartAsync(string provider, JsonElement vector, ILoggerProvider? logs = null)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        int i = 0;
        foreach (JsonElement secret in vector.GetProperty("secrets").EnumerateArray())
        {
            settings[$"Webhooks:Sources:{provider}:Secrets:{i++}"] = secret.GetString();
        }

        if (PublicUrl(vector) is { } url)
        {
            settings[$"Webhooks:Sources:{provider}:PublicUrl"] = url.Split('?')[0];
        }

        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(vector.GetProperty("now").GetInt64()));
        IHost host = new HostBuilder()
            .UseEnvironment("Production")
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddSingleton<TimeProvider>(time);
                    if (logs is not null)
                    {
                        s.AddLogging(b => b.AddProvider(logs));
                    }

                    s.AddWebhookReceiver().AddSource(provider, Providers[provider]());
                })
                .Configure(app => app.UseRouting().UseEndpoints(e => e.MapWebhooks())))
            .Build();
        await host.StartAsync();
        return (host, host.GetTestClient());
    }

    /// <summary>The case's request: its body and headers, posted to the source's route with the query of the URL it was signed for.</summary>
    public static HttpRequestMessage Request(string provider, JsonElement vector, byte[]? body = null, IEnumerable<(string Name, string Value)>? headers = null)
    {
        string query = vector.TryGetProperty("url", out JsonElement url) && url.GetString()!.IndexOf('?') is int q and >= 0 ? url.GetString()![q..] : "";
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/" + provider + query)
        {
            Content = new ByteArrayContent(body ?? Convert.FromBase64String(vector.GetProperty("body").GetString()!)),
        };
        foreach ((string name, string value) in headers ?? Headers(vector))
        {
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    public static List<(string Name, string Value)> Headers(JsonElement vector) =>
        [.. vector.GetProperty("headers").EnumerateObject().Select(h => (h.Name, h.Value.GetString()!))];

    /// <summary>The URL the signature covers: the configured public URL when the case sets one, else the one the request came to.</summary>
    private static string? PublicUrl(JsonElement vector) =>
        vector.TryGetProperty("options", out JsonElement options) && options.TryGetProperty("PublicUrl", out JsonElement configured) ? configured.GetString()
        : vector.TryGetProperty("url", out JsonElement url) ? url.GetString() : null;
}
