using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Storage;

namespace Webhooks.Tests.TestSupport;

/// <summary>The operations of <see cref="IWebhookEventStore"/> that <see cref="InterceptingEventStore"/> can hold up or fail.</summary>
public enum StoreOperation
{
    Append,
    Claim,
    Renew,
    Complete,
    Fail,
    Release,
    Defer,
    BeginHandler,
    EndHandler,
    RenewHandler,
    Read,
    Count,
}

/// <summary>
/// One process's view of a shared store: every call goes to the inner store after <see cref="Before"/> has run, which can
/// make it wait (a network partition), fail (an outage) or record it.
/// </summary>
public sealed class InterceptingEventStore(IWebhookEventStore inner) : IWebhookEventStore
{
    private int _calls;

    public Func<StoreOperation, CancellationToken, Task>? Before { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets every operation called, in order, whether or not it went through.</summary>
    public ConcurrentQueue<StoreOperation> Seen { get; } = new();

    /// <summary>Holds every call until <paramref name="heal"/> completes (a network partition); a call that honours its token ends when that fires.</summary>
    public void Partition(Task heal) => Before = (_, token) => heal.WaitAsync(token);

    public async ValueTask<WebhookAppendResult> AppendAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.Append, cancellationToken);
        return await inner.AppendAsync(webhookEvent, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<WebhookClaim>> ClaimAsync(int maxEvents, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.Claim, cancellationToken);
        return await inner.ClaimAsync(maxEvents, lease, cancellationToken);
    }

    public async ValueTask<bool> RenewAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.Renew, cancellationToken);
        return await inner.RenewAsync(id, token, lease, cancellationToken);
    }

    public async ValueTask<bool> CompleteAsync(string id, long token, bool unhandled, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.Complete, cancellationToken);
        return await inner.CompleteAsync(id, token, unhandled, cancellationToken);
    }

    public async ValueTask<bool> FailAsync(string id, long token, string lastError, TimeSpan? retryDelay, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.Fail, cancellationToken);
        return await inner.FailAsync(id, token, lastError, retryDelay, cancellationToken);
    }

    public async ValueTask<bool> ReleaseAsync(string id, long token, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.Release, cancellationToken);
        return await inner.ReleaseAsync(id, token, cancellationToken);
    }

    public async ValueTask<bool> DeferAsync(string id, long token, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.Defer, cancellationToken);
        return await inner.DeferAsync(id, token, delay, cancellationToken);
    }

    public async ValueTask<WebhookHandlerBeginResult> BeginHandlerAsync(string id, long token, string handler, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.BeginHandler, cancellationToken);
        return await inner.BeginHandlerAsync(id, token, handler, cancellationToken);
    }

    public async ValueTask<bool> EndHandlerAsync(string id, long token, string handler, bool succeeded, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.EndHandler, cancellationToken);
        return await inner.EndHandlerAsync(id, token, handler, succeeded, cancellationToken);
    }

    public async ValueTask<bool> RenewHandlerAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.RenewHandler, cancellationToken);
        return await inner.RenewHandlerAsync(id, token, lease, cancellationToken);
    }

    public async ValueTask<WebhookEvent?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.Read, cancellationToken);
        return await inner.ReadAsync(id, cancellationToken);
    }

    public ValueTask<WebhookEventSummary?> GetAsync(string id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

    public ValueTask<WebhookEventPage> ListAsync(WebhookEventStatus? status, int limit, string? cursor = null, CancellationToken cancellationToken = default) => inner.ListAsync(status, limit, cursor, cancellationToken);

    public async ValueTask<WebhookEventCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await BeforeAsync(StoreOperation.Count, cancellationToken);
        return await inner.CountAsync(cancellationToken);
    }

    public ValueTask<WebhookReplayResult> ReplayAsync(string id, bool force, CancellationToken cancellationToken = default) => inner.ReplayAsync(id, force, cancellationToken);

    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) => inner.DeleteAsync(id, cancellationToken);

    private Task BeforeAsync(StoreOperation operation, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Seen.Enqueue(operation);
        return Before?.Invoke(operation, cancellationToken) ?? Task.CompletedTask;
    }
}
