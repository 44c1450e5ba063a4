using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Sender.Subscriptions;

/// <summary>Subscriptions in this process's memory, for development, tests and a single process; lost when it stops.</summary>
public sealed class InMemoryWebhookSubscriptionStore : IWebhookSubscriptionStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, WebhookSubscription> _subscriptions = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<bool> AddAsync(WebhookSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_lock)
        {
            return ValueTask.FromResult(_subscriptions.TryAdd(subscription.Id, subscription));
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            return ValueTask.FromResult(_subscriptions.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReplaceAsync(WebhookSubscription subscription, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_lock)
        {
            if (!_subscriptions.TryGetValue(subscription.Id, out WebhookSubscription? current) || current.Version != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            _subscriptions[subscription.Id] = subscription;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            return ValueTask.FromResult(_subscriptions.Remove(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<WebhookSubscriptionPage> ListAsync(string? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var page = new List<WebhookSubscription>(Math.Min(limit, 100));
        lock (_lock)
        {
            foreach (KeyValuePair<string, WebhookSubscription> entry in _subscriptions)
            {
                if (after is not null && string.CompareOrdinal(entry.Key, after) <= 0)
                {
                    continue;
                }

                if (page.Count == limit)
                {
                    return ValueTask.FromResult(new WebhookSubscriptionPage(page, page[^1].Id));
                }

                page.Add(entry.Value);
            }
        }

        return ValueTask.FromResult(new WebhookSubscriptionPage(page, null));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<WebhookSubscription>> FindActiveAsync(string eventType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        var found = new List<WebhookSubscription>();
        lock (_lock)
        {
            foreach (WebhookSubscription subscription in _subscriptions.Values)
            {
                if (subscription.IsActive && subscription.Matches(eventType))
                {
                    found.Add(subscription);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<WebhookSubscription>>(found);
    }
}
