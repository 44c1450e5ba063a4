using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Webhooks.Redis;

public sealed partial class RedisEventStore
{
    /// <summary>How many values each write-back gives the <see cref="RedisEventScripts.Finish"/> script.</summary>
    private const int ValuesPerWrite = 5;

    /// <summary>
    /// The write-backs of attempts (complete, fail, give back, end a handler's run), batched like appends (see
    /// <see cref="ScriptBatcher"/>): the workers that finish while one batch is in flight share the next round trip and script run.
    /// </summary>
    private sealed class WriteBatcher(RedisEventStore store) : ScriptBatcher(store)
    {
        /// <inheritdoc />
        protected override async Task<bool> SendGroupsAsync(List<Pending> batch, List<int> starts, int first, int end, bool spanning)
        {
            int from = starts[first];
            int to = starts[end];
            RedisResult[] reply;
            try
            {
                var keys = new RedisKey[PartitionKeyCount * (end - first)];
                var values = new RedisValue[4 + (2 * (end - first)) + (ValuesPerWrite * (to - from))];
                values[0] = Store.TestClock is { } clock ? clock.GetUtcNow().ToUnixTimeMilliseconds() : -1;
                values[1] = Store._eventPrefixes[batch[from].Partition];
                values[2] = Store._retentionMilliseconds;
                values[3] = end - first;
                int v = 4;
                for (int g = first; g < end; g++)
                {
                    int partition = batch[starts[g]].Partition;
                    Store._partitionKeys[partition].CopyTo(keys, PartitionKeyCount * (g - first));
                    values[v++] = Store._eventPrefixes[partition];
                    values[v++] = starts[g + 1] - starts[g];
                    for (int i = starts[g]; i < starts[g + 1]; i++)
                    {
                        batch[i].Values.CopyTo(values, v);
                        v += ValuesPerWrite;
                    }
                }

                reply = (RedisResult[])(await Store.EvaluateAsync(RedisEventScripts.Finish, keys, values, CancellationToken.None).ConfigureAwait(false))!;
            }
            catch (Exception ex) when (spanning && IsCrossSlot(ex))
            {
                Store._spansPartitions = Layout.OnePartitionPerScript;
                return false;
            }
#pragma warning disable CA1031 // Whatever failed is each waiting caller's to see; the loop must go on for the writes queued behind.
            catch (Exception ex)
            {
                Fail(batch, from, to, ex);
                return true;
            }
#pragma warning restore CA1031

            for (int i = from; i < to; i++)
            {
                batch[i].Done.TrySetResult((int)reply[i - from]);
            }

            return true;
        }
    }

    /// <summary>Sends one write-back of an attempt (operation and four values) with the others in flight; <see langword="true"/> when done, <see langword="false"/> when stale.</summary>
    private async ValueTask<bool> WriteAsync(string id, RedisValue[] values, CancellationToken cancellationToken) =>
        await _writes.SendAsync(_connection.Keys.PartitionOf(id), values, 0, cancellationToken).ConfigureAwait(false) == 1;
}
