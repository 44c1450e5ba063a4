using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Storage;

namespace Webhooks.AspNetCore.Tests;

/// <summary>An in-memory event store whose appends can be made to fail or hang, and which records what it was given.</summary>
public sealed class StoreDouble(IWebhookEventStore inner) : IWebhookEventStore
{
    public Func<WebhookEvent, CancellationToken, ValueTask>? BeforeAppend { get; set; }

    public List<WebhookEvent> Appended { get; } = [];

    /// <summary>When set, every read, list, replay and delete throws it (the store is down, or has a bug).</summary>
    public Exception? ReadFault { get; set; }

    public static StoreDouble Failing() => new(new InMemoryEventStore()) { BeforeAppend = static (_, _) => throw new WebhookStoreUnavailableException("down") };

    public static StoreDouble Hanging() => new(new InMemoryEventStore()) { BeforeAppend = static async (_, token) => await Task.Delay(Timeout.Infinite, token) };

    public async ValueTask<WebhookAppendResult> AppendAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        lock (Appended)
        {
            Appended.Add(webhookEvent);
        }

        if (BeforeAppend is { } before)
        {
            await before(webhookEvent, cancellationToken);
        }

        // Once past the hook the write is "sent": like a client that cannot take a command back, it no longer observes cancellation.
        return await inner.AppendAsync(webhookEvent, CancellationToken.None);
    }

    public ValueTask<IReadOnlyList<WebhookClaim>> ClaimAsync(int maxEvents, TimeSpan lease, CancellationToken cancellationToken = default) => inner.ClaimAsync(maxEvents, lease, cancellationToken);

    public ValueTask<bool> RenewAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default) => inner.RenewAsync(id, token, lease, cancellationToken);

    public ValueTask<bool> CompleteAsync(string id, long token, bool unhandled, CancellationToken cancellationToken = default) => inner.CompleteAsync(id, token, unhandled, cancellationToken);

    public ValueTask<bool> FailAsync(string id, long token, string lastError, TimeSpan? retryDelay, CancellationToken cancellationToken = default) => inner.FailAsync(id, token, lastError, retryDelay, cancellationToken);

    public ValueTask<bool> ReleaseAsync(string id, long token, CancellationToken cancellationToken = default) => inner.ReleaseAsync(id, token, cancellationToken);

    public ValueTask<bool> DeferAsync(string id, long token, TimeSpan delay, CancellationToken cancellationToken = default) => inner.DeferAsync(id, token, delay, cancellationToken);

    public ValueTask<WebhookHandlerBeginResult> BeginHandlerAsync(string id, long token, string handler, CancellationToken cancellationToken = default) => inner.BeginHandlerAsync(id, token, handler, cancellationToken);

    public ValueTask<bool> EndHandlerAsync(string id, long token, string handler, bool succeeded, CancellationToken cancellationToken = default) => inner.EndHandlerAsync(id, token, handler, succeeded, cancellationToken);

    public ValueTask<bool> RenewHandlerAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default) => inner.RenewHandlerAsync(id, token, lease, cancellationToken);

    public ValueTask<WebhookEventSummary?> GetAsync(string id, CancellationToken cancellationToken = default) => ReadFault is { } fault ? throw fault : inner.GetAsync(id, cancellationToken);

    public ValueTask<WebhookEvent?> ReadAsync(string id, CancellationToken cancellationToken = default) => ReadFault is { } fault ? throw fault : inner.ReadAsync(id, cancellationToken);

    public ValueTask<WebhookEventPage> ListAsync(WebhookEventStatus? status, int limit, string? cursor = null, CancellationToken cancellationToken = default) => ReadFault is { } fault ? throw fault : inner.ListAsync(status, limit, cursor, cancellationToken);

    public ValueTask<WebhookEventCounts> CountAsync(CancellationToken cancellationToken = default) => ReadFault is { } fault ? throw fault : inner.CountAsync(cancellationToken);

    public ValueTask<WebhookReplayResult> ReplayAsync(string id, bool force, CancellationToken cancellationToken = default) => ReadFault is { } fault ? throw fault : inner.ReplayAsync(id, force, cancellationToken);

    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) => ReadFault is { } fault ? throw fault : inner.DeleteAsync(id, cancellationToken);
}

/// <summary>Counts the request body bytes that the server side actually reads.</summary>
public sealed class BodyReadCounter
{
    private long _read;

    public long BytesRead => Interlocked.Read(ref _read);

    public Stream Wrap(Stream inner) => new Counting(inner, this);

    private sealed class Counting(Stream inner, BodyReadCounter counter) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int n)
        {
            Interlocked.Add(ref counter._read, n);
            return n;
        }
    }
}
