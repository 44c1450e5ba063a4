using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace Webhooks.Redis.Tests;

/// <summary>
/// The durable path attacked from outside, as a production fleet fails: three receiver processes on one redis-server of their
/// own, 2,000 signed deliveries with re-sends to another process, 20 % of handler runs failing, two receivers killed with
/// SIGKILL and Redis stopped and started, a two-second lease (the <c>Webhooks.Chaos</c> program, which
/// <c>benchmarks/chaos/run.sh</c> runs at 30,000 deliveries).
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ThreeReceiversKilledTwiceAndRedisRestarted_NothingLostNothingDeadEffectsOnceOutsideInterruptions()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Webhooks.Core.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("The repository root (Webhooks.Core.sln) was not found above the test assembly.");
        }

        string dll = Path.Combine(root, "tests", "Webhooks.Chaos", "bin", "Release", "net10.0", "Webhooks.Chaos.dll");
        Assert.True(File.Exists(dll), "Webhooks.Chaos is not built: build the solution in Release (./test.sh does).");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { dll, "run", "--deliveries", "2000", "--receivers", "3", "--kills", "2", "--outages", "1", "--outage-seconds", "1", "--fail-rate", "0.2", "--resend", "0.1", "--lease", "00:00:02", "--deadline-seconds", "120" })
        {
            start.ArgumentList.Add(argument);
        }

        using Process chaos = Process.Start(start)!;
        Task<string> stdout = chaos.StandardOutput.ReadToEndAsync();
        Task<string> stderr = chaos.StandardError.ReadToEndAsync();
        if (!await Task.Run(() => chaos.WaitForExit(TimeSpan.FromMinutes(3))))
        {
            chaos.Kill(entireProcessTree: true);
            Assert.Fail("The chaos run did not end within three minutes.");
        }

        string summary = (await stdout).Trim();
        output.WriteLine(summary);
        foreach (string line in (await stderr).Split('\n'))
        {
            if (line.StartsWith("chaos:", StringComparison.Ordinal))
            {
                output.WriteLine(line);
            }
        }

        using JsonDocument json = JsonDocument.Parse(summary[summary.LastIndexOf('{')..]);
        JsonElement r = json.RootElement;
        Assert.Equal(2000, r.GetProperty("acknowledged").GetInt32());
        Assert.Equal(0, r.GetProperty("lost").GetInt32());
        Assert.Equal(0, r.GetProperty("dead").GetInt64());
        Assert.Equal(0, r.GetProperty("unprocessed").GetInt32());
        Assert.Equal(0, r.GetProperty("missingEffects").GetInt32());
        Assert.Equal(0, r.GetProperty("refused").GetInt32());
        Assert.Equal(0, r.GetProperty("resentAccepted").GetInt32());

        // Double effects only where an attempt was interrupted: a killed receiver's running handlers, and the handlers running
        // when Redis stopped (their effect written, their success not), at most the worker count each.
        Assert.InRange(r.GetProperty("doubleEffects").GetInt32(), 0, r.GetProperty("allowance").GetInt32());
        Assert.InRange(r.GetProperty("seconds").GetDouble(), 0, 120);
        Assert.Equal(0, chaos.ExitCode);
    }
}
