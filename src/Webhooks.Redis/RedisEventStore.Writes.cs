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
        protected override RedisScript Script => RedisEventScripts.Finish;

        /// <inheritdoc />
        protected override int ValuesPerGroup => 2;

        /// <inheritdoc />
        protected override int ValuesPerRequest => ValuesPerWrite;

        /// <inheritdoc />
        protected override void WriteGroup(RedisValue[] values, int at, int partition, int count)
        {
            values[at] = Store._eventPrefixes[partition];
            values[at + 1] = count;
        }
    }

    /// <summary>Sends one write-back of an attempt (operation and four values) with the others in flight; <see langword="true"/> when done, <see langword="false"/> when stale.</summary>
    private async ValueTask<bool> WriteAsync(string id, RedisValue[] values, CancellationToken cancellationToken) =>
        await _writes.SendAsync(_connection.Keys.PartitionOf(id), values, 0, cancellationToken).ConfigureAwait(false) == 1;
}
