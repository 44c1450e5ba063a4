using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace Webhooks.PostgreSql.Tests;

/// <summary>
/// The chaos run of the Redis tests against PostgreSQL: three receiver processes on one PostgreSQL cluster of their own, 2,000
/// signed deliveries with re-sends to another process, 20 % of handler runs failing after their write, two receivers killed with
/// SIGKILL and the database crashed (<c>pg_ctl stop -m immediate</c>) and started, a two-second lease. The handler writes its
/// effect through <see cref="WebhookPostgreSqlTransaction"/>, so not one effect may be made twice, kills and crash included.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ThreeReceiversKilledTwiceAndDatabaseCrashed_NothingLostNothingDeadNoEffectTwice()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Webhooks.Core.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("The repository root (Webhooks.Core.sln) was not found above the test assembly.");
        }

        string dll = Path.Combine(root, "tests", "Webhooks.Chaos", "bin", "Release", "net10.0", "Webhooks.Chaos.dll");
        Assert.True(File.Exists(dll), "Webhooks.Chaos is not built: build the solution in Release (./test.sh does).");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { dll, "run", "--store", "postgres", "--deliveries", "2000", "--receivers", "3", "--kills", "2", "--outages", "1", "--outage-seconds", "1", "--fail-rate", "0.2", "--resend", "0.1", "--lease", "00:00:02", "--deadline-seconds", "120" })
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
        Assert.Equal(0, r.GetProperty("doubleEffects").GetInt32());
        Assert.Equal(0, chaos.ExitCode);
    }
}
