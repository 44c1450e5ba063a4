using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Webhooks.Storage;

namespace Webhooks.Redis;

public sealed partial class RedisEventStore
{
    /// <summary>The most events one append script takes.</summary>
    internal const int MaxAppendBatch = 64;

    /// <summary>The most body bytes one append script takes, unless its first event alone is larger.</summary>
    internal const long MaxAppendBatchBytes = 1024 * 1024;

    /// <summary>How many keys each partition gives a script: see <see cref="RedisEventScripts"/>.</summary>
    private const int PartitionKeyCount = 10;

    /// <summary>How many values each event gives the append script: see <see cref="RedisEventScripts.Append"/>.</summary>
    private const int ValuesPerAppend = 6;

    /// <summary>How many values each partition's group of events gives the append script.</summary>
    private const int ValuesPerAppendGroup = 5;

    /// <summary>How often an append tidies a partition (forgets its expired events, takes its forgotten digests), at most.</summary>
    private const long TidyIntervalMilliseconds = 1000;

    private Layout _spansPartitions;

    /// <summary>Whether a script was refused for touching the keys of several slots (a cluster, or a proxy in front of one).</summary>
    private static bool IsCrossSlot(Exception ex) => ex switch
    {
        RedisCommandException => true,
        RedisServerException server => server.Message.StartsWith("CROSSSLOT", StringComparison.Ordinal),
        WebhookStoreUnavailableException { InnerException: { } inner } => IsCrossSlot(inner),
        _ => false,
    };

    /// <summary>Makes the store take the server for a single Redis before it has looked, for tests of a cluster refusing that.</summary>
    internal void AssumeScriptsMaySpanPartitions() => _spansPartitions = Layout.AnyPartitions;

    /// <summary>Makes the store send a script per partition, as on a cluster, for tests of that path on a single Redis.</summary>
    internal void UseOneScriptPerPartition() => _spansPartitions = Layout.OnePartitionPerScript;

    /// <summary>Whether one script may touch the keys of several partitions, as known so far.</summary>
    private enum Layout
    {
        /// <summary>Not known yet: no server has been reached.</summary>
        Unknown,

        /// <summary>A single Redis (with or without replicas): one script may touch every partition.</summary>
        AnyPartitions,

        /// <summary>A cluster or a proxy: one script touches one partition (one hash slot).</summary>
        OnePartitionPerScript,
    }

    /// <summary>
    /// Whether a script may span partitions: only when every server the client knows is a plain Redis, decided once one is
    /// reached. Until then, and when Redis cannot be reached, no: a script per partition is right on every kind of server.
    /// </summary>
    private async ValueTask<bool> SpansPartitionsAsync()
    {
        if (_spansPartitions != Layout.Unknown)
        {
            return _spansPartitions == Layout.AnyPartitions;
        }

        IConnectionMultiplexer connection;
        try
        {
            connection = await _connection.GetConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebhookStoreUnavailableException or InvalidOperationException)
        {
            // The append that follows meets the same failure and reports it.
            return false;
        }

        bool reached = false;
        foreach (IServer server in connection.GetServers())
        {
            if (server.ServerType != ServerType.Standalone)
            {
                _spansPartitions = Layout.OnePartitionPerScript;
                return false;
            }

            reached |= server.IsConnected;
        }

        if (reached)
        {
            _spansPartitions = Layout.AnyPartitions;
        }

        return reached;
    }

    /// <summary>
    /// Sends a kind of script one run at a time: the requests that arrive while one is in flight wait and go together in the next,
    /// each partition's in arrival order (the script takes them one after the other, each seeing the ones before it). On a single
    /// Redis one script takes the batch's requests of every partition; on a cluster, whose scripts touch one hash slot each, the
    /// batch goes as one script per partition, sent together. Under load, one round trip and one script run then serve many
    /// requests; alone, a request is sent at once.
    /// </summary>
    private abstract class ScriptBatcher(RedisEventStore store)
    {
        private readonly Lock _gate = new();
        private readonly Queue<Pending> _waiting = new();
        private bool _sending;

        protected RedisEventStore Store => store;

        /// <summary>Sends one request (its script values) to its partition; returns the script's code for it.</summary>
        public async Task<int> SendAsync(int partition, RedisValue[] values, long bytes, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pending = new Pending(partition, values, bytes);
            bool lead;
            lock (_gate)
            {
                _waiting.Enqueue(pending);
                lead = !_sending;
                _sending = true;
            }

            if (lead)
            {
                _ = SendAllAsync();
            }

            // Once queued the request is sent, whether this caller still waits or not: cancellation stops the wait only.
            return await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Gets the script: ARGV[4] the number of groups, then each group's values, and each request's after them.</summary>
        protected abstract RedisScript Script { get; }

        /// <summary>Gets how many values each partition's group starts with (<see cref="WriteGroup"/> writes them).</summary>
        protected abstract int ValuesPerGroup { get; }

        /// <summary>Gets how many values each request gives the script.</summary>
        protected abstract int ValuesPerRequest { get; }

        /// <summary>Writes a group's first values at <paramref name="at"/>: those of <paramref name="partition"/>, with <paramref name="count"/> requests.</summary>
        protected abstract void WriteGroup(RedisValue[] values, int at, int partition, int count);

        /// <summary>Called with the reply of a script run, whose first <paramref name="codes"/> values were the requests' codes.</summary>
        protected virtual void OnReply(RedisResult[] reply, int codes)
        {
        }

        /// <summary>
        /// Sends the groups <paramref name="first"/> to <paramref name="end"/> (exclusive) in one script and hands each request its
        /// code or the failure. Returns <see langword="false"/>, with nothing handed out, when a script spanning partitions was
        /// refused for doing so (the server is a cluster after all): the caller sends the groups one by one instead.
        /// </summary>
        private async Task<bool> SendGroupsAsync(List<Pending> batch, List<int> starts, int first, int end, bool spanning)
        {
            int from = starts[first];
            int to = starts[end];
            RedisResult[] reply;
            try
            {
                var keys = new RedisKey[PartitionKeyCount * (end - first)];
                var values = new RedisValue[4 + (ValuesPerGroup * (end - first)) + (ValuesPerRequest * (to - from))];
                values[0] = store.TestClock is { } clock ? clock.GetUtcNow().ToUnixTimeMilliseconds() : -1;
                values[1] = store._eventPrefixes[batch[from].Partition];
                values[2] = store._retentionMilliseconds;
                values[3] = end - first;
                int v = 4;
                for (int g = first; g < end; g++)
                {
                    int partition = batch[starts[g]].Partition;
                    store._partitionKeys[partition].CopyTo(keys, PartitionKeyCount * (g - first));
                    WriteGroup(values, v, partition, starts[g + 1] - starts[g]);
                    v += ValuesPerGroup;
                    for (int i = starts[g]; i < starts[g + 1]; i++)
                    {
                        batch[i].Values.CopyTo(values, v);
                        v += ValuesPerRequest;
                    }
                }

                reply = (RedisResult[])(await store.EvaluateAsync(Script, keys, values, CancellationToken.None).ConfigureAwait(false))!;
            }
            catch (Exception ex) when (spanning && IsCrossSlot(ex))
            {
                store._spansPartitions = Layout.OnePartitionPerScript;
                return false;
            }
#pragma warning disable CA1031 // Whatever failed is each waiting caller's to see; the loop must go on for the requests queued behind.
            catch (Exception ex)
            {
                for (int i = from; i < to; i++)
                {
                    batch[i].Done.TrySetException(ex);
                }

                return true;
            }
#pragma warning restore CA1031

            for (int i = from; i < to; i++)
            {
                batch[i].Done.TrySetResult((int)reply[i - from]);
            }

            OnReply(reply, to - from);
            return true;
        }

        /// <summary>Sends batches until none is waiting; never throws (a failure is each waiting caller's).</summary>
        private async Task SendAllAsync()
        {
            while (true)
            {
                List<Pending> batch;
                lock (_gate)
                {
                    if (_waiting.Count == 0)
                    {
                        _sending = false;
                        return;
                    }

                    batch = new List<Pending>(Math.Min(_waiting.Count, MaxAppendBatch));
                    long bytes = 0;
                    while (_waiting.Count > 0 && batch.Count < MaxAppendBatch && (batch.Count == 0 || bytes + _waiting.Peek().BodyBytes <= MaxAppendBatchBytes))
                    {
                        Pending next = _waiting.Dequeue();
                        bytes += next.BodyBytes;
                        batch.Add(next);
                    }
                }

                List<int> groups = GroupByPartition(batch);
                if (await store.SpansPartitionsAsync().ConfigureAwait(false) && await SendGroupsAsync(batch, groups, 0, groups.Count - 1, spanning: true).ConfigureAwait(false))
                {
                    continue;
                }

                var sends = new Task<bool>[groups.Count - 1];
                for (int g = 0; g < sends.Length; g++)
                {
                    sends[g] = SendGroupsAsync(batch, groups, g, g + 1, spanning: false);
                }

                await Task.WhenAll(sends).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Orders the batch by partition, keeping each partition's arrival order; returns where each partition's group starts,
        /// and the batch's end last.
        /// </summary>
        private static List<int> GroupByPartition(List<Pending> batch)
        {
            // Insertion sort: stable, and a batch is at most a few dozen requests.
            for (int i = 1; i < batch.Count; i++)
            {
                Pending moving = batch[i];
                int j = i - 1;
                while (j >= 0 && batch[j].Partition > moving.Partition)
                {
                    batch[j + 1] = batch[j];
                    j--;
                }

                batch[j + 1] = moving;
            }

            var starts = new List<int> { 0 };
            for (int i = 1; i < batch.Count; i++)
            {
                if (batch[i].Partition != batch[i - 1].Partition)
                {
                    starts.Add(i);
                }
            }

            starts.Add(batch.Count);
            return starts;
        }
    }

    /// <summary>
    /// The store's appends, one script run at a time for the whole store (see <see cref="ScriptBatcher"/>), each group tidying
    /// its partition about once a second.
    /// </summary>
    private sealed class AppendBatcher(RedisEventStore store) : ScriptBatcher(store)
    {
        private readonly long[] _lastTidy = NeverTidied(store._partitionKeys.Length);

        private static long[] NeverTidied(int partitions)
        {
            long[] times = new long[partitions];
            Array.Fill(times, long.MinValue / 2);
            return times;
        }

        /// <inheritdoc />
        protected override RedisScript Script => RedisEventScripts.Append;

        /// <inheritdoc />
        protected override int ValuesPerGroup => ValuesPerAppendGroup;

        /// <inheritdoc />
        protected override int ValuesPerRequest => ValuesPerAppend;

        /// <inheritdoc />
        protected override void WriteGroup(RedisValue[] values, int at, int partition, int count)
        {
            values[at] = Store._eventPrefixes[partition];
            values[at + 1] = count;
            values[at + 2] = Store._maxEventsPerPartition;
            values[at + 3] = Store._maxBytesPerPartition;
            values[at + 4] = TidyDue(partition) ? 1 : 0;
        }

        /// <inheritdoc />
        protected override void OnReply(RedisResult[] reply, int codes)
        {
            // Digest index entries of events these partitions have forgotten, to remove, without holding up the next batch. One
            // that fails to go stays until a delivery with the same body finds it stale and takes it over.
            if (reply.Length > codes)
            {
                _ = ForgetAllAsync(reply, codes);
            }
        }

#pragma warning disable CA1031 // A removal that fails is left for the next delivery with that body.
        private async Task ForgetAllAsync(RedisResult[] reply, int first)
        {
            try
            {
                var forgetting = new Task[reply.Length - first];
                for (int i = first; i < reply.Length; i++)
                {
                    forgetting[i - first] = Store.ForgetDigestAsync((string)reply[i]!, CancellationToken.None);
                }

                await Task.WhenAll(forgetting).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Left for the next delivery with that body, as above.
            }
        }
#pragma warning restore CA1031

        /// <summary>
        /// Whether this batch's group of <paramref name="partition"/> should tidy it first: when it has not for a second (on the
        /// test clock when there is one). Only the batch loop asks, one batch at a time, and groups of one batch are of
        /// different partitions.
        /// </summary>
        private bool TidyDue(int partition)
        {
            long now = Store.TestClock is { } clock ? clock.GetUtcNow().ToUnixTimeMilliseconds() : Environment.TickCount64;
            if (now - _lastTidy[partition] < TidyIntervalMilliseconds && now >= _lastTidy[partition])
            {
                return false;
            }

            _lastTidy[partition] = now;
            return true;
        }
    }

    private sealed class Pending(int partition, RedisValue[] values, long bodyBytes)
    {
        public int Partition { get; } = partition;

        public RedisValue[] Values { get; } = values;

        public long BodyBytes { get; } = bodyBytes;

        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
