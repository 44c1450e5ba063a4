using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Webhooks.PostgreSql;
using Webhooks.Storage;

namespace Webhooks.Chaos;

/// <summary>
/// A PostgreSQL 15 cluster made with <c>initdb</c> in the run's folder (as the <c>postgres</c> user when run as root), with
/// <c>fsync</c> on; the receivers record each effect in <c>chaos_effects</c> in the transaction that records their handler's
/// success, so an effect is never made twice. An outage is <c>pg_ctl stop -m immediate</c>: a crash, recovered at the next start.
/// </summary>
internal sealed class PostgresStore : IChaosStore
{
    private const string Bin = "/usr/lib/postgresql/15/bin";

    private readonly string _data;
    private readonly string _directory;
    private readonly int _port;

    private PostgresStore(string directory, int port)
    {
        _directory = directory;
        _data = Path.Combine(directory, "pgdata");
        _port = port;
    }

    public string Name => "PostgreSQL on 127.0.0.1:" + _port.ToString(CultureInfo.InvariantCulture);

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Timeout=3;Command Timeout=5";

    public string[] ReceiverArguments => ["--postgres", ConnectionString];

    public bool ExactlyOnce => true;

    public static async Task<IChaosStore> StartAsync(string directory)
    {
        var store = new PostgresStore(directory, Driver.FreePort());
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres", directory);
        }

        await RunAsPostgresAsync(Bin + "/initdb", "-D", store._data, "-U", "postgres", "-A", "trust", "-E", "UTF8");
        await store.StartAgainAsync();
        await using NpgsqlDataSource database = NpgsqlDataSource.Create(store.ConnectionString);
        await WebhookPostgreSqlSchema.MigrateAsync(database);
        await using NpgsqlCommand effects = database.CreateCommand("CREATE TABLE chaos_effects (event_id text PRIMARY KEY, n int NOT NULL)");
        await effects.ExecuteNonQueryAsync();
        return store;
    }

    public Task StopAsync() => RunAsPostgresAsync(Bin + "/pg_ctl", "-D", _data, "-m", "immediate", "-w", "stop");

    public Task StartAgainAsync() => RunAsPostgresAsync(
        Bin + "/pg_ctl", "-D", _data, "-l", Path.Combine(_directory, "postgres.log"), "-w", "-t", "60", "start",
        "-o", $"-p {_port.ToString(CultureInfo.InvariantCulture)} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=300");

    /// <summary>Reads the store's counts every 200 ms until processed and dead events reach the acknowledged ones, or the deadline.</summary>
    public async Task<WebhookEventCounts> WaitForProcessingAsync(int acknowledged, TimeSpan within)
    {
        await using NpgsqlDataSource database = NpgsqlDataSource.Create(ConnectionString);
        var store = new PostgreSqlEventStore(database);
        var clock = Stopwatch.StartNew();
        WebhookEventCounts counts = await store.CountAsync();
        while (counts.Processed + counts.Dead < acknowledged && clock.Elapsed < within)
        {
            await Task.Delay(200);
            counts = await store.CountAsync();
        }

        return counts;
    }

    public async Task<IReadOnlyList<(string Id, WebhookEventSummary? Summary, long Effects)>> ReadAsync(IEnumerable<string> ids)
    {
        await using NpgsqlDataSource database = NpgsqlDataSource.Create(ConnectionString);
        var effects = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (NpgsqlCommand read = database.CreateCommand("SELECT event_id, n FROM chaos_effects"))
        await using (NpgsqlDataReader reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                effects[reader.GetString(0)] = reader.GetInt32(1);
            }
        }

        var store = new PostgreSqlEventStore(database);
        var results = new List<(string, WebhookEventSummary?, long)>();
        foreach (string id in ids)
        {
            results.Add((id, await store.GetAsync("github:" + id), effects.GetValueOrDefault("github:" + id)));
        }

        return results;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Not running.
        }
    }

    private static Task RunAsPostgresAsync(string program, params string[] arguments) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + program);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
