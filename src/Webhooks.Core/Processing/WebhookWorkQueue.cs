using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Webhooks.Processing;

/// <summary>
/// Ids of events waiting for a worker in this process. An id is queued at most once at a time, so the poller that recovers
/// due work never doubles what is already waiting or running.
/// </summary>
internal sealed class WebhookWorkQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly ConcurrentDictionary<string, byte> _pending = new(System.StringComparer.Ordinal);

    public ChannelReader<string> Reader => _channel.Reader;

    /// <summary>Queues <paramref name="id"/> unless it is already waiting or being processed here.</summary>
    public bool TryEnqueue(string id) => _pending.TryAdd(id, 0) && _channel.Writer.TryWrite(id);

    /// <summary>Marks <paramref name="id"/> as no longer waiting or running, so that it can be queued again.</summary>
    public void Done(string id) => _pending.TryRemove(id, out _);
}
