using System;
using System.Diagnostics;
using System.IO;

namespace Webhooks.Redis.Tests;

/// <summary>Starts one of the built samples (<c>samples/&lt;name&gt;</c>, Release) as a process of its own, to be killed by a test.</summary>
public static class SampleProcess
{
    /// <summary>Starts the sample with the arguments; each line it writes to standard output goes to <paramref name="onOutput"/>.</summary>
    /// <param name="sample">The sample's project name: <c>WebhookReceiver</c> or <c>WebhookSender</c>.</param>
    /// <param name="onOutput">Called with each output line; optional. Standard error is read and dropped.</param>
    /// <param name="arguments">The sample's command line.</param>
    /// <returns>The running process; the caller kills and disposes it.</returns>
    public static Process Start(string sample, Action<string>? onOutput, params string[] arguments)
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Webhooks.Core.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("The repository root (Webhooks.Core.sln) was not found above the test assembly.");
        }

        string dll = Path.Combine(root, "samples", sample, "bin", "Release", "net10.0", sample + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The sample {sample} is not built: build the solution in Release (./test.sh does).");
        }

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"The sample {sample} did not start.");
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                onOutput?.Invoke(text);
            }
        };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
