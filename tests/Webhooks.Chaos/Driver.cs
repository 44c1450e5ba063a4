using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Webhooks.Storage;
using Webhooks.Testing;

namespace Webhooks.Chaos;

/// <summary>
/// Runs the attack: a redis-server (append-only, fsync always) or, with <c>--store postgres</c>, a PostgreSQL cluster,
/// <c>--receivers</c> receiver processes on it, <c>--deliveries</c>
/// signed GitHub pushes (distinct 2 KB bodies, GitHub's headers) sent round robin by 16 senders that, as GitHub does, send again
/// to another receiver until a delivery is acknowledged, <c>--resend</c> of them sent again once acknowledged; meanwhile
/// <c>--kills</c> receivers killed with SIGKILL (and started again) and <c>--outages</c> Redis stops of <c>--outage-seconds</c>.
/// Then it waits for every acknowledged delivery to be processed and counts the handlers' effects.
/// </summary>
internal static class Driver
{
    public const string Secret = "chaos-secret";

    public static async Task<int> RunAsync(string[] args)
    {
        var o = Options.Parse(args);
        string directory = Directory.CreateTempSubdirectory("webhooks-chaos-").FullName;
        var clock = Stopwatch.StartNew();
        await using IChaosStore server = o.Store == "postgres" ? await PostgresStore.StartAsync(directory) : await RedisStore.StartAsync(directory);
        var receivers = new Receivers(o, server.ReceiverArguments);
        try
        {
            await receivers.StartAllAsync();
            await Console.Error.WriteLineAsync($"chaos: {server.Name}, {o.Receivers} receivers up after {clock.Elapsed.TotalSeconds:0.0} s");

            var acknowledged = new ConcurrentDictionary<string, bool>();
            int refused = 0, resentAccepted = 0, sent = 0;
            int next = -1;
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

            // Each fault is set off by the acknowledgement that reaches its share of the deliveries.
            string[] plan = Plan(o);
            int[] thresholds = [.. Enumerable.Range(0, plan.Length).Select(e => o.Deliveries * (e + 1) / (plan.Length + 1))];
            TaskCompletionSource[] reached = [.. plan.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
            void Acknowledged(string id)
            {
                if (acknowledged.TryAdd(id, true))
                {
                    int count = acknowledged.Count;
                    for (int e = 0; e < thresholds.Length; e++)
                    {
                        if (count >= thresholds[e])
                        {
                            reached[e].TrySetResult();
                        }
                    }
                }
            }

            var chaos = Task.Run(async () =>
            {
                for (int e = 0; e < plan.Length; e++)
                {
                    await reached[e].Task;

                    if (plan[e] == "kill")
                    {
                        int victim = e % o.Receivers;
                        await Console.Error.WriteLineAsync($"chaos: SIGKILL receiver {victim} at {acknowledged.Count} acknowledged");
                        await receivers.KillAndRestartAsync(victim);
                    }
                    else
                    {
                        await Console.Error.WriteLineAsync($"chaos: {server.Name} stopped for {o.OutageSeconds} s at {acknowledged.Count} acknowledged");
                        await server.StopAsync();

                        // The outage itself: the store stays stopped this long, in real time, as the fault being injected.
                        await Task.Delay(TimeSpan.FromSeconds(o.OutageSeconds));
                        await server.StartAgainAsync();
                    }
                }
            });

            async Task SendUntilAcknowledgedAsync(int index, int firstTarget, bool resend)
            {
                string id = "chaos-" + index.ToString("D6", CultureInfo.InvariantCulture);
                byte[] body = Payloads.Push(index);
                int target = firstTarget;
                for (int tries = 0; ; tries++)
                {
                    Interlocked.Increment(ref sent);
                    using HttpRequestMessage request = Payloads.Request(body, id, receivers.Url(target));
                    int status;
                    try
                    {
                        using HttpResponseMessage response = await client.SendAsync(request);
                        status = (int)response.StatusCode;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        status = 0; // a killed receiver: connection refused or cut
                    }

                    if (status is 200 or 202)
                    {
                        if (resend && status == 202)
                        {
                            Interlocked.Increment(ref resentAccepted);
                        }

                        Acknowledged(id);
                        return;
                    }

                    if (status is >= 400 and < 500)
                    {
                        Interlocked.Increment(ref refused);
                        await Console.Error.WriteLineAsync($"chaos: {id} refused with {status}");
                        return;
                    }

                    // 503 while Redis is stopped, or no answer from a killed receiver: as a provider does, send it again later,
                    // here to the next receiver.
                    target = (target + 1) % o.Receivers;
                    await Task.Delay(Math.Min(1000, 50 * (tries + 1)));
                }
            }

            var senders = new Task[16];
            for (int s = 0; s < senders.Length; s++)
            {
                senders[s] = Task.Run(async () =>
                {
                    int index;
                    while ((index = Interlocked.Increment(ref next)) < o.Deliveries)
                    {
                        await SendUntilAcknowledgedAsync(index, index % o.Receivers, resend: false);
                        if (Random.Shared.NextDouble() < o.Resend)
                        {
                            await SendUntilAcknowledgedAsync(index, (index + 1) % o.Receivers, resend: true);
                        }
                    }
                });
            }

            await Task.WhenAll(senders);
            await chaos;
            double sendingSeconds = clock.Elapsed.TotalSeconds;
            await Console.Error.WriteLineAsync($"chaos: {acknowledged.Count} acknowledged ({sent} requests) after {sendingSeconds:0.0} s; waiting for processing");

            // Every acknowledged delivery processed (or the deadline): the store's own counts, read as an operator would.
            WebhookEventCounts counts = await server.WaitForProcessingAsync(acknowledged.Count, TimeSpan.FromSeconds(Math.Max(1, o.DeadlineSeconds - clock.Elapsed.TotalSeconds)));

            double seconds = clock.Elapsed.TotalSeconds;
            int lost = 0, unprocessed = 0, missingEffects = 0, doubleEffects = 0, mostAttempts = 0;
            foreach ((string id, WebhookEventSummary? e, long effect) in await server.ReadAsync(acknowledged.Keys))
            {
                if (e is null)
                {
                    lost++;
                    await Console.Error.WriteLineAsync($"chaos: LOST {id}");
                    continue;
                }

                mostAttempts = Math.Max(mostAttempts, e.Attempts);
                if (e.Status != WebhookEventStatus.Processed)
                {
                    unprocessed++;
                    await Console.Error.WriteLineAsync($"chaos: {id} is {e.Status} after {e.Attempts} attempts: {e.LastError}");
                }
                else if (effect == 0)
                {
                    missingEffects++;
                }

                if (effect > 1)
                {
                    doubleEffects++;
                }
            }

            // Redis: a handler's effect may be made again by an attempt interrupted between it and its record (at most the
            // workers of each killed or cut-off receiver). PostgreSQL: the effect commits with its record, so never.
            int allowance = server.ExactlyOnce ? 0 : o.Concurrency * (o.Kills + (o.Receivers * o.Outages));
            bool passed = lost == 0 && counts.Dead == 0 && unprocessed == 0 && missingEffects == 0 && refused == 0 && resentAccepted == 0 && doubleEffects <= allowance;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"deliveries\":{o.Deliveries},\"acknowledged\":{acknowledged.Count},\"requests\":{sent},\"lost\":{lost},\"dead\":{counts.Dead},\"unprocessed\":{unprocessed},\"missingEffects\":{missingEffects},\"doubleEffects\":{doubleEffects},\"allowance\":{allowance},\"refused\":{refused},\"resentAccepted\":{resentAccepted},\"mostAttempts\":{mostAttempts},\"kills\":{o.Kills},\"outages\":{o.Outages},\"sendingSeconds\":{sendingSeconds:0.0},\"seconds\":{seconds:0.0},\"passed\":{(passed ? "true" : "false")}}}"));
            return passed ? 0 : 1;
        }
        finally
        {
            await receivers.StopAllAsync();
            await server.DisposeAsync();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the system's temporary-file cleanup.
            }
        }
    }

    /// <summary>The order of the faults: kills, with the outages in the middle.</summary>
    private static string[] Plan(Options o)
    {
        var plan = new List<string>();
        for (int k = 0; k < o.Kills; k++)
        {
            plan.Add("kill");
        }

        for (int i = 0; i < o.Outages; i++)
        {
            plan.Insert(((i + 1) * plan.Count / (o.Outages + 1)) + i, "outage");
        }

        return [.. plan];
    }

    internal static void Signal(Process process, string signal)
    {
        using Process kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The run's settings, from <c>--name value</c> pairs.</summary>
internal sealed record Options(int Deliveries, int Receivers, int Kills, int Outages, double OutageSeconds, double FailRate, TimeSpan Lease, int Concurrency, double Resend, double DeadlineSeconds, string Store)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Expected --name value pairs, found '{args[i]}'.", nameof(args));
            }

            values[args[i][2..]] = args[i + 1];
        }

        string Get(string name, string fallback) => values.TryGetValue(name, out string? v) ? v : fallback;
        return new Options(
            int.Parse(Get("deliveries", "2000"), CultureInfo.InvariantCulture),
            int.Parse(Get("receivers", "3"), CultureInfo.InvariantCulture),
            int.Parse(Get("kills", "2"), CultureInfo.InvariantCulture),
            int.Parse(Get("outages", "1"), CultureInfo.InvariantCulture),
            double.Parse(Get("outage-seconds", "1"), CultureInfo.InvariantCulture),
            double.Parse(Get("fail-rate", "0.2"), CultureInfo.InvariantCulture),
            TimeSpan.Parse(Get("lease", "00:00:02"), CultureInfo.InvariantCulture),
            int.Parse(Get("concurrency", "4"), CultureInfo.InvariantCulture),
            double.Parse(Get("resend", "0.1"), CultureInfo.InvariantCulture),
            double.Parse(Get("deadline-seconds", "120"), CultureInfo.InvariantCulture),
            Get("store", "redis") is var store && store is "postgres" or "redis" ? store : throw new ArgumentException("--store is redis or postgres.", nameof(args)));
    }
}

/// <summary>The receiver processes, each on its own port, started again on the same port after a kill.</summary>
internal sealed class Receivers(Options options, string[] storeArguments)
{
    private readonly int[] _ports = Enumerable.Range(0, options.Receivers).Select(_ => Driver.FreePort()).ToArray();
    private readonly Process?[] _processes = new Process?[options.Receivers];

    public string Url(int receiver) => "http://127.0.0.1:" + _ports[receiver].ToString(CultureInfo.InvariantCulture) + "/webhooks/github";

    public async Task StartAllAsync() => await Task.WhenAll(Enumerable.Range(0, _ports.Length).Select(StartAsync));

    public async Task KillAndRestartAsync(int receiver)
    {
        Process victim = _processes[receiver]!;
        victim.Kill(entireProcessTree: true);
        await victim.WaitForExitAsync();
        victim.Dispose();
        await StartAsync(receiver);
    }

    public async Task StopAllAsync()
    {
        foreach (Process? process in _processes)
        {
            if (process is { HasExited: false })
            {
                Driver.Signal(process, "TERM");
            }
        }

        foreach (Process? process in _processes)
        {
            if (process is not null && !await Task.Run(() => process.WaitForExit(10_000)))
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>A receiver's own output (warnings and errors), passed on to the driver's standard error.</summary>
    private static void Echo(int receiver, string? text)
    {
        if (text is not null)
        {
            Console.Error.Write($"receiver {receiver}: {text}\n");
        }
    }

    private async Task StartAsync(int receiver)
    {
        string self = typeof(Driver).Assembly.Location;
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }

        string url = "http://127.0.0.1:" + _ports[receiver].ToString(CultureInfo.InvariantCulture);
        foreach (string argument in (string[])
        [
            "receive", "--urls", url, .. storeArguments, "--fail-rate", options.FailRate.ToString(CultureInfo.InvariantCulture),
            "--Webhooks:Processing:LeaseDuration", options.Lease.ToString("c", CultureInfo.InvariantCulture),
            "--Webhooks:Processing:HandlerTimeout", (options.Lease * 2).ToString("c", CultureInfo.InvariantCulture),
            "--Webhooks:Processing:Concurrency", options.Concurrency.ToString(CultureInfo.InvariantCulture),
            "--Webhooks:Processing:PollInterval", "00:00:00.100",
            "--Webhooks:Processing:MaxStoreBackoff", "00:00:01",
        ])
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("A receiver did not start.");
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int index = receiver;
        process.OutputDataReceived += (_, line) =>
        {
            // The receiver says when it listens (see Receiver); everything else it writes is passed on.
            if (line.Data == Receiver.ReadyLine)
            {
                listening.TrySetResult();
            }
            else
            {
                Echo(index, line.Data);
            }
        };
        process.ErrorDataReceived += (_, line) => Echo(index, line.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"Receiver {index} exited before it listened on {url}."));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[receiver] = process;
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }
}

/// <summary>Deliveries shaped as GitHub sends a push: a 2 KB body, distinct per delivery, and GitHub's headers.</summary>
internal static class Payloads
{
    public static byte[] Push(int index)
    {
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(index)))[..40];
        var json = new StringBuilder(2200);
        json.Append("{\"ref\":\"refs/heads/main\",\"before\":\"0000000000000000000000000000000000000000\",\"after\":\"").Append(sha)
            .Append("\",\"repository\":{\"id\":1296269,\"node_id\":\"MDEwOlJlcG9zaXRvcnkxMjk2MjY5\",\"name\":\"Hello-World\",\"full_name\":\"octocat/Hello-World\",\"private\":false,")
            .Append("\"owner\":{\"login\":\"octocat\",\"id\":1,\"type\":\"User\",\"site_admin\":false},\"html_url\":\"https://github.com/octocat/Hello-World\",")
            .Append("\"description\":\"This your first repo!\",\"fork\":false,\"default_branch\":\"main\",\"pushed_at\":").Append(1700000000 + index).Append("},")
            .Append("\"pusher\":{\"name\":\"octocat\",\"email\":\"octocat@github.com\"},\"sender\":{\"login\":\"octocat\",\"id\":1,\"type\":\"User\"},")
            .Append("\"created\":false,\"deleted\":false,\"forced\":false,\"compare\":\"https://github.com/octocat/Hello-World/compare/").Append(sha[..12]).Append("\",\"commits\":[");
        for (int c = 0; c < 3; c++)
        {
            json.Append(c == 0 ? "" : ",").Append("{\"id\":\"").Append(sha).Append("\",\"tree_id\":\"").Append(sha)
                .Append("\",\"distinct\":true,\"message\":\"Change ").Append(index).Append('.').Append(c).Append(": update the README with the new build steps and fix the links\",")
                .Append("\"timestamp\":\"2026-12-07T12:00:00Z\",\"url\":\"https://github.com/octocat/Hello-World/commit/").Append(sha)
                .Append("\",\"author\":{\"name\":\"Monalisa Octocat\",\"email\":\"support@github.com\",\"username\":\"octocat\"},\"added\":[],\"removed\":[],\"modified\":[\"README.md\",\"docs/build.md\"]}");
        }

        json.Append("],\"head_commit\":null}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    public static HttpRequestMessage Request(byte[] body, string deliveryId, string url)
    {
        HttpRequestMessage request = WebhookRequests.GitHub(Driver.Secret, "push", body, deliveryId, url);
        request.Headers.TryAddWithoutValidation("User-Agent", "GitHub-Hookshot/a1b2c3d");
        request.Headers.TryAddWithoutValidation("X-GitHub-Hook-ID", "292430182");
        request.Headers.TryAddWithoutValidation("X-GitHub-Hook-Installation-Target-ID", "79929171");
        request.Headers.TryAddWithoutValidation("X-GitHub-Hook-Installation-Target-Type", "repository");
        request.Headers.TryAddWithoutValidation("Accept", "*/*");
        return request;
    }
}
