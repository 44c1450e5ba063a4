using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Webhooks.Redis;

public sealed partial class RedisEventStore
{
    /// <summary>The most events one append script takes.</summary>
    internal const int MaxAppendBatch = 64;

    /// <summary>The most body bytes one append script takes, unless its first event alone is larger.</summary>
    internal const long MaxAppendBatchBytes = 1024 * 1024;

    /// <summary>
    /// The appends of one partition: one script at a time is in flight, and the appends that arrive meanwhile wait and go
    /// together in the next, in arrival order (the script appends them one after the other, each seeing the ones before it). Under
    /// load, one round trip and one script run then serve many deliveries; alone, an append is sent at once.
    /// </summary>
    private sealed class AppendBatcher(RedisEventStore store, int partition)
    {
        private readonly Lock _gate = new();
        private readonly Queue<Pending> _waiting = new();
        private bool _sending;

        /// <summary>Appends one event (its twelve script values); returns the script's code for it.</summary>
        public async Task<int> AppendAsync(RedisValue[] values, long bodyBytes, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pending = new Pending(values, bodyBytes);
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

            // Once queued the append is sent, whether this caller still waits or not: cancellation stops the wait only.
            return await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
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

                RedisResult[] reply;
                try
                {
                    var values = new RedisValue[1 + (12 * batch.Count)];
                    values[0] = batch.Count;
                    for (int i = 0; i < batch.Count; i++)
                    {
                        batch[i].Values.CopyTo(values, 1 + (12 * i));
                    }

                    reply = (RedisResult[])(await store.RunAsync(partition, RedisEventScripts.Append, values, CancellationToken.None).ConfigureAwait(false))!;
                    for (int i = 0; i < batch.Count; i++)
                    {
                        batch[i].Done.TrySetResult((int)reply[i]);
                    }
                }
#pragma warning disable CA1031 // Whatever failed is each waiting caller's to see; this loop must go on for the appends queued behind.
                catch (Exception ex)
                {
                    foreach (Pending failed in batch)
                    {
                        failed.Done.TrySetException(ex);
                    }

                    continue;
                }

                // Digest index entries of events this partition has forgotten, to remove. One that fails to go stays until a
                // delivery with the same body finds it stale and takes it over.
                try
                {
                    for (int i = batch.Count; i < reply.Length; i++)
                    {
                        await store.ForgetDigestAsync((string)reply[i]!, CancellationToken.None).ConfigureAwait(false);
                    }
                }
                catch (Exception)
                {
                    // Left for the next delivery with that body, as above.
                }
#pragma warning restore CA1031
            }
        }
    }

    private sealed class Pending(RedisValue[] values, long bodyBytes)
    {
        public RedisValue[] Values { get; } = values;

        public long BodyBytes { get; } = bodyBytes;

        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
