using System.Globalization;
using System.Text.Json;
using Webhooks.Testing;

namespace WebhookSender;

/// <summary>
/// Sends one correctly signed delivery, as GitHub, Stripe or a Standard Webhooks sender ("acme") would, and prints the response.
/// Usage: dotnet run --project samples/WebhookSender -- github|stripe|acme [--url URL] [--secret SECRET] [--repeat-id] [--form]
/// Or as another provider: shopify|slack|twilio|paddle|linear|square|zoom|twitch|gitlab|discord|sendgrid [--url URL].
/// (--form: the GitHub push as a hook configured with the content type application/x-www-form-urlencoded sends it).
/// Or publishes events through Webhooks.Sender to a subscription pointing at the receiver sample:
/// dotnet run --project samples/WebhookSender -- publish [--url URL] [--count N] [--redis HOST:PORT]
/// With --redis the subscription, the outbox and the delivery log live in Redis, and `send --redis HOST:PORT` sends what is due there until stopped.
/// </summary>
internal static partial class Program
{
    // The receiver sample's development secrets (samples/WebhookReceiver/appsettings.Development.json).
    private const string GitHubSecret = "dev-github-secret";
    private const string StripeSecret = "whsec_dev_stripe_secret";
    private const string AcmeSecret = "whsec_ZGV2LWFjbWUtc3RhbmRhcmQtd2ViaG9va3Mta2V5ISE=";

    // A GitHub hook configured with the content type application/x-www-form-urlencoded sends its JSON in this form field.
    private const string FormField = "payload=";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && string.Equals(args[0], "publish", StringComparison.Ordinal))
        {
            return await PublishAsync(args);
        }

        if (args.Length > 0 && string.Equals(args[0], "send", StringComparison.Ordinal))
        {
            return await SendAsync(args);
        }

        if (args.Length > 0 && Providers.ContainsKey(args[0]))
        {
            return await SendProviderAsync(args[0], Option(args, "--url") ?? "http://127.0.0.1:5080/webhooks/" + args[0]);
        }

        if (args.Length == 0 || args[0] is not ("github" or "stripe" or "acme"))
        {
            await Console.Error.WriteLineAsync("usage: WebhookSender github|stripe|acme [--url URL] [--secret SECRET] [--repeat-id] [--form]");
            await Console.Error.WriteLineAsync("       WebhookSender " + string.Join('|', Providers.Keys) + " [--url URL]");
            await Console.Error.WriteLineAsync("       WebhookSender publish [--url URL] [--count N] [--redis HOST:PORT [--prefix P]] [--attempt-timeout SECONDS]");
            await Console.Error.WriteLineAsync("       WebhookSender send --redis HOST:PORT [--prefix P] [--attempt-timeout SECONDS]");
            return 2;
        }

        string kind = args[0];
        string url = Option(args, "--url") ?? "http://127.0.0.1:5080/webhooks/" + kind;
        string secret = Option(args, "--secret") ?? kind switch
        {
            "github" => GitHubSecret,
            "stripe" => StripeSecret,
            _ => AcmeSecret,
        };
        bool repeat = Array.IndexOf(args, "--repeat-id") >= 0;
        bool form = Array.IndexOf(args, "--form") >= 0;

        // --repeat-id sends the previous delivery again, byte for byte (same id, same body): the receiver answers "duplicate".
        string lastFile = Path.Combine(Path.GetTempPath(), $"webhooks-sample-sender-last-{kind}.json");
        (string id, string body) = repeat && File.Exists(lastFile) ? Load(lastFile) : Create(kind, form);
        await File.WriteAllTextAsync(lastFile, JsonSerializer.Serialize(new[] { id, body }));

        using HttpRequestMessage request = kind switch
        {
            "github" => WebhookRequests.GitHub(secret, "push", body, id, url),
            "stripe" => WebhookRequests.Stripe(secret, body, path: url),
            _ => WebhookRequests.StandardWebhooks(secret, url, body, id),
        };
        if (body.StartsWith(FormField, StringComparison.Ordinal))
        {
            // GitHub signs the form body as sent; only the content type differs from a JSON hook.
            request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        }

        return await SendAsync($"{kind} delivery {id}", request, url);
    }

    /// <summary>Sends one delivery and prints the answer; 0 when it was taken.</summary>
    private static async Task<int> SendAsync(string what, HttpRequestMessage request, string url)
    {
        using var client = new HttpClient();
        try
        {
            using HttpResponseMessage response = await client.SendAsync(request);
            Console.WriteLine($"{what} -> {(int)response.StatusCode} {response.StatusCode}");
            Console.WriteLine(await response.Content.ReadAsStringAsync());
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"Could not reach {url}: {ex.Message}. Is the receiver running (dotnet run --project samples/WebhookReceiver)?");
            return 1;
        }
    }

    private static (string Id, string Body) Create(string kind, bool form)
    {
        if (string.Equals(kind, "github", StringComparison.Ordinal))
        {
            string delivery = Guid.NewGuid().ToString();
            string push = "{\"ref\":\"refs/heads/main\",\"before\":\"0000000000000000000000000000000000000000\",\"after\":\"6113728f27ae82c7b1a177c8d03f9e96e0adf246\","
                + "\"repository\":{\"id\":1296269,\"full_name\":\"octocat/Hello-World\"},\"pusher\":{\"name\":\"octocat\"},"
                + "\"commits\":[{\"id\":\"6113728f27ae82c7b1a177c8d03f9e96e0adf246\",\"message\":\"Update README\"}]}";
            return (delivery, form ? FormField + Uri.EscapeDataString(push) : push);
        }

        if (string.Equals(kind, "acme", StringComparison.Ordinal))
        {
            // A Standard Webhooks payload: the message id travels in webhook-id (signed), the type in the body.
            string message = "msg_" + Guid.NewGuid().ToString("N")[..24];
            string invoice = "{\"type\":\"invoice.paid\",\"timestamp\":\"" + DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)
                + "\",\"data\":{\"invoice\":\"in_" + Guid.NewGuid().ToString("N")[..12] + "\",\"amount\":4200}}";
            return (message, invoice);
        }

        string eventId = "evt_" + Guid.NewGuid().ToString("N")[..24];
        string intent = "{\"id\":\"pi_" + Guid.NewGuid().ToString("N")[..24] + "\",\"object\":\"payment_intent\",\"amount\":"
            + Random.Shared.Next(100, 100_000).ToString(CultureInfo.InvariantCulture) + ",\"currency\":\"usd\",\"status\":\"succeeded\"}";
        return (eventId, WebhookRequests.StripeEvent("payment_intent.succeeded", eventId, intent));
    }

    private static (string Id, string Body) Load(string file)
    {
        string[] saved = JsonSerializer.Deserialize<string[]>(File.ReadAllText(file)) ?? [];
        return saved.Length == 2 ? (saved[0], saved[1]) : throw new InvalidDataException($"{file} is not a saved delivery.");
    }

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
