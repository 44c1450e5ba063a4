using System.Globalization;
using System.Text;
using Webhooks;
using Webhooks.Processing;
using Webhooks.Storage;

namespace WebhookReceiver;

/// <summary>
/// The operator's command line, when the program's first argument is <c>events</c>:
/// <c>events list [--status dead] [--limit 50]</c>, <c>events show &lt;id&gt;</c>, <c>events replay &lt;id&gt; [--force]</c>,
/// <c>events replay --status dead [--limit 100]</c>, <c>events resend &lt;id&gt; --to &lt;url&gt;</c>, <c>events delete &lt;id&gt;</c>,
/// against the store the receiver is configured with (Redis: <c>--redis host:port</c>; PostgreSQL: <c>--postgres "&lt;connection string&gt;"</c>).
/// </summary>
internal static class EventsCommand
{
    private const string Usage = """
        usage: WebhookReceiver events list [--status queued|processing|processed|failed|dead] [--limit N]
               WebhookReceiver events show <id>
               WebhookReceiver events replay <id> [--force]
               WebhookReceiver events replay --status dead [--limit N]
               WebhookReceiver events resend <id> --to <url>
               WebhookReceiver events delete <id>
        Add --redis host:port (or Webhooks:Redis:Configuration) to reach the receivers' Redis, or --postgres "<connection string>"
        (or Webhooks:PostgreSql:ConnectionString) to reach their PostgreSQL.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string[] rest = args[1..];
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = rest, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(rest, StoreSwitches);
        builder.Logging.ClearProviders();
        if (rest.Length == 0 || rest[0] is not ("list" or "show" or "replay" or "resend" or "delete"))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        bool postgres = !string.IsNullOrEmpty(builder.Configuration["Webhooks:PostgreSql:ConnectionString"]);
        if (string.IsNullOrEmpty(builder.Configuration["Webhooks:Redis:Configuration"]) && !postgres)
        {
            await Console.Error.WriteLineAsync(
                "This receiver keeps its events in the memory of its own process: a command line cannot reach them. "
                + "Start the receivers with --redis host:port or --postgres \"<connection string>\" and pass the same option here.");
            return 2;
        }

        IWebhookReceiverBuilder receiver = builder.Services.AddWebhookReceiver();
        if (postgres)
        {
            receiver.UsePostgreSql(o => o.MigrateOnStart = false);
        }
        else
        {
            receiver.UseRedis();
        }
        using IHost host = builder.Build();
        IWebhookEventStore store = host.Services.GetRequiredService<IWebhookEventStore>();
        WebhookPipeline pipeline = host.Services.GetRequiredService<WebhookPipeline>();
        try
        {
            return rest[0] switch
            {
                "list" => await ListAsync(store, rest),
                "show" => await ShowAsync(store, rest),
                "replay" => await ReplayAsync(pipeline, rest),
                "resend" => await ResendAsync(pipeline, rest),
                _ => await DeleteAsync(store, rest),
            };
        }
        catch (WebhookStoreUnavailableException ex)
        {
            await Console.Error.WriteLineAsync("The store is unavailable: " + ex.Message);
            return 3;
        }
    }

    /// <summary>The command line's short switches for the stores: <c>--redis</c> and <c>--postgres</c>.</summary>
    public static readonly Dictionary<string, string> StoreSwitches = new(StringComparer.Ordinal)
    {
        ["--redis"] = "Webhooks:Redis:Configuration",
        ["--postgres"] = "Webhooks:PostgreSql:ConnectionString",
    };

    private static async Task<int> ListAsync(IWebhookEventStore store, string[] args)
    {
        WebhookEventStatus? status = null;
        if (Option(args, "--status") is { } text)
        {
            if (!Enum.TryParse(text, ignoreCase: true, out WebhookEventStatus parsed))
            {
                return await FailAsync("Unknown status " + text + ": queued, processing, processed, failed or dead.");
            }

            status = parsed;
        }

        int limit = int.TryParse(Option(args, "--limit"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 50;
        WebhookEventPage page = await store.ListAsync(status, limit);
        foreach (WebhookEventSummary e in page.Items)
        {
            Console.WriteLine(string.Join('\t', e.Id, e.Status.ToString().ToLowerInvariant(), e.EventType, e.Attempts.ToString(CultureInfo.InvariantCulture), e.ReceivedAt.ToString("O", CultureInfo.InvariantCulture), e.LastError ?? ""));
        }

        Console.WriteLine(page.Items.Count == 0 ? "no events" : page.Cursor is null ? $"{page.Items.Count} event(s)" : $"{page.Items.Count} event(s) shown; more with a larger --limit");
        return 0;
    }

    private static async Task<int> ShowAsync(IWebhookEventStore store, string[] args)
    {
        if (args.Length < 2)
        {
            return await FailAsync(Usage);
        }

        WebhookEventSummary? e = await store.GetAsync(args[1]);
        WebhookEvent? received = e is null ? null : await store.ReadAsync(args[1]);
        if (e is null || received is null)
        {
            return await FailAsync("No event has the id " + args[1] + ".");
        }

        Console.WriteLine($"id          {e.Id}");
        Console.WriteLine($"source      {e.Source}");
        Console.WriteLine($"type        {e.EventType}");
        Console.WriteLine($"status      {e.Status.ToString().ToLowerInvariant()}");
        Console.WriteLine($"attempts    {e.Attempts}");
        Console.WriteLine($"received    {e.ReceivedAt:O}");
        Console.WriteLine($"last error  {e.LastError}");
        Console.WriteLine($"replays     {e.ReplayCount}");
        foreach (KeyValuePair<string, string> header in received.Headers)
        {
            Console.WriteLine($"header      {header.Key}: {header.Value}");
        }

        Console.WriteLine($"body        {received.Body.Length} bytes");
        Console.WriteLine(Encoding.UTF8.GetString(received.Body.Span));
        return 0;
    }

    private static async Task<int> ReplayAsync(WebhookPipeline pipeline, string[] args)
    {
        if (Option(args, "--status") is { } status)
        {
            if (!string.Equals(status, "dead", StringComparison.OrdinalIgnoreCase))
            {
                return await FailAsync("Only dead events are replayed in bulk: --status dead.");
            }

            int limit = int.TryParse(Option(args, "--limit"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 100;
            Console.WriteLine($"{await pipeline.ReplayDeadAsync(limit)} dead event(s) queued again");
            return 0;
        }

        if (args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
        {
            return await FailAsync(Usage);
        }

        WebhookReplayResult result = await pipeline.ReplayAsync(args[1], force: Array.IndexOf(args, "--force") >= 0);
        Console.WriteLine(result switch
        {
            WebhookReplayResult.Queued => args[1] + " queued again",
            WebhookReplayResult.NotFound => "No event has the id " + args[1] + ".",
            WebhookReplayResult.AlreadyProcessed => args[1] + " was processed already; add --force to run every handler again.",
            _ => args[1] + " is queued, processing or waiting for a retry already.",
        });
        return result == WebhookReplayResult.Queued ? 0 : 1;
    }

    private static async Task<int> ResendAsync(WebhookPipeline pipeline, string[] args)
    {
        if (args.Length < 2 || Option(args, "--to") is not { } to || !Uri.TryCreate(to, UriKind.Absolute, out Uri? target))
        {
            return await FailAsync(Usage);
        }

        using var client = new HttpClient();
        using HttpResponseMessage? response = await pipeline.ResendAsync(args[1], target, client);
        if (response is null)
        {
            return await FailAsync("No event has the id " + args[1] + ".");
        }

        Console.WriteLine($"{args[1]} sent unchanged to {target} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.IsSuccessStatusCode ? 0 : 1;
    }

    private static async Task<int> DeleteAsync(IWebhookEventStore store, string[] args)
    {
        if (args.Length < 2)
        {
            return await FailAsync(Usage);
        }

        bool deleted = await store.DeleteAsync(args[1]);
        Console.WriteLine(deleted ? args[1] + " deleted" : "No event has the id " + args[1] + ".");
        return deleted ? 0 : 1;
    }

    private static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync(message);
        return 2;
    }

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
