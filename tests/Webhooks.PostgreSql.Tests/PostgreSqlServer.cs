using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Npgsql;

namespace Webhooks.PostgreSql.Tests;

/// <summary>
/// A real PostgreSQL 15 for the tests: a cluster made with <c>initdb</c> in a temporary folder and started on a free loopback
/// port (as the <c>postgres</c> user when the tests run as root: PostgreSQL refuses to run as root), stopped and removed with
/// them. The test command installs Debian's <c>postgresql</c> when it is missing; a missing server fails the tests.
/// </summary>
public sealed class PostgreSqlServer : IAsyncLifetime
{
    private const string Bin = "/usr/lib/postgresql/15/bin";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "webhooks-pg-" + Guid.NewGuid().ToString("N")[..12]);

    public int Port { get; private set; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50;Timeout=5;Command Timeout=10";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres", _directory);
        }

        await RunAsPostgresAsync(Bin + "/initdb", "-D", _directory + "/data", "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
        Port = FreePort();
        await StartAsync();
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) and waits until it answers.</summary>
    public async Task StartAsync()
    {
        await RunAsPostgresAsync(Bin + "/pg_ctl", "-D", _directory + "/data", "-l", _directory + "/server.log", "-w", "-t", "60", "start",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");
    }

    /// <summary>Stops the server at once, as a crash would (<c>immediate</c>: no checkpoint, recovery at the next start).</summary>
    public Task StopAsync() => RunAsPostgresAsync(Bin + "/pg_ctl", "-D", _directory + "/data", "-m", "immediate", "-w", "stop");

    /// <summary>A new, migrated schema of its own, for one test's store.</summary>
    public string NewSchema()
    {
        string schema = "t" + Guid.NewGuid().ToString("N")[..16];
        using NpgsqlCommand command = DataSource.CreateCommand(WebhookPostgreSqlSchema.GetScript(schema));
        command.ExecuteNonQuery();
        return schema;
    }

    public async Task DisposeAsync()
    {
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }

        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgreSqlServerGroup : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "PostgreSQL server";
}
