using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Webhooks.Redis.Tests;

/// <summary>
/// A real Redis Cluster of three masters on loopback, created for the tests (<c>redis-server --cluster-enabled yes</c> three times,
/// then <c>redis-cli --cluster create … --cluster-yes</c>), so that every script is seen to touch one slot and keys to spread.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    private RedisProcess[] _nodes = [];

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _nodes = Enumerable.Range(0, 3).Select(_ => RedisProcess.Start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")).ToArray();
        foreach (RedisProcess node in _nodes)
        {
            await node.Ready;
        }

        var create = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        create.ArgumentList.Add("--cluster");
        create.ArgumentList.Add("create");
        foreach (RedisProcess node in _nodes)
        {
            create.ArgumentList.Add(node.Endpoint);
        }

        create.ArgumentList.Add("--cluster-replicas");
        create.ArgumentList.Add("0");
        create.ArgumentList.Add("--cluster-yes");
        using (Process cli = Process.Start(create) ?? throw new InvalidOperationException("redis-cli did not start."))
        {
            string output = await cli.StandardOutput.ReadToEndAsync();
            await cli.WaitForExitAsync();
            if (cli.ExitCode != 0)
            {
                throw new InvalidOperationException("redis-cli --cluster create failed: " + output + await cli.StandardError.ReadToEndAsync());
            }
        }

        // Every node must agree that all slots are served before the tests start.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (RedisProcess node in _nodes)
        {
            await using ConnectionMultiplexer single = await RedisServer.ConnectAsync(node);
            while (!((string?)await single.GetServers()[0].ExecuteAsync("CLUSTER", "INFO") ?? "").Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                await Task.Delay(100, timeout.Token);
            }
        }

        Connection = await ConnectionMultiplexer.ConnectAsync(string.Join(",", _nodes.Select(n => n.Endpoint)) + ",abortConnect=true,connectTimeout=5000,allowAdmin=true");
    }

    /// <summary>How many keys each master holds.</summary>
    public async Task<long[]> KeysPerMasterAsync()
    {
        var counts = new long[_nodes.Length];
        for (int i = 0; i < _nodes.Length; i++)
        {
            counts[i] = await Connection.GetServer(_nodes[i].Endpoint).DatabaseSizeAsync();
        }

        return counts;
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        foreach (RedisProcess node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
