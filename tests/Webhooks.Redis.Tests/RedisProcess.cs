using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace Webhooks.Redis.Tests;

/// <summary>One <c>redis-server</c> on a free loopback port with persistence off, in its own temporary directory.</summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ownsDirectory;

    private RedisProcess(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    /// <summary>Completes when the server has said that it accepts connections.</summary>
    public Task Ready => _ready.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public string Directory { get; }

    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public static RedisProcess Start(params string[] extraArguments)
    {
        RedisProcess started = StartAt(FreePort(), System.IO.Directory.CreateTempSubdirectory("webhooks-redis-").FullName, extraArguments);
        started._ownsDirectory = true;
        return started;
    }

    /// <summary>Starts a server on a given port and directory: a restart of one that was stopped finds its data files there.</summary>
    public static RedisProcess StartAt(int port, string directory, params string[] extraArguments)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (string argument in new List<string> { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server was not found: run ./test.sh, which installs it (apt-get install redis-server).", ex);
        }

        var started = new RedisProcess(process, port, directory);

        // The server says when it takes connections: wait for that line rather than trying to connect until it works.
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                started._ready.TrySetResult();
            }
        };
        process.Exited += (_, _) => started._ready.TrySetException(new InvalidOperationException("redis-server exited before it was ready."));
        process.EnableRaisingEvents = true;
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Kills the server at once (SIGKILL), keeping its directory.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (System.IO.IOException)
        {
            // Left for the system's temporary-file cleanup.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
