using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Sender.Subscriptions;

/// <summary>
/// Where subscriptions live. Each operation is atomic; a change is a compare-and-set on <see cref="WebhookSubscription.Version"/>,
/// so two writers never overwrite each other's change unseen. Implementations pass the subscription store contract tests.
/// </summary>
public interface IWebhookSubscriptionStore
{
    /// <summary>Adds a subscription.</summary>
    /// <param name="subscription">The subscription, at version 1.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when a subscription with its id exists (nothing is changed).</returns>
    ValueTask<bool> AddAsync(WebhookSubscription subscription, CancellationToken cancellationToken = default);

    /// <summary>Reads a subscription.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subscription, or <see langword="null"/>.</returns>
    ValueTask<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Replaces a subscription if it is still at the version the caller read.</summary>
    /// <param name="subscription">The new state, at <paramref name="expectedVersion"/> + 1.</param>
    /// <param name="expectedVersion">The version the change was made from.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when it is gone or at another version (nothing is changed).</returns>
    ValueTask<bool> ReplaceAsync(WebhookSubscription subscription, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Removes a subscription.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when there was none.</returns>
    ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Lists subscriptions in id order (the order they were created), a page at a time.</summary>
    /// <param name="after">The <see cref="WebhookSubscriptionPage.NextCursor"/> of the previous page, or <see langword="null"/> for the first.</param>
    /// <param name="limit">The most to return, 1 or more.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    ValueTask<WebhookSubscriptionPage> ListAsync(string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Finds the active subscriptions that take events of <paramref name="eventType"/>.</summary>
    /// <param name="eventType">The event type.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The matching active subscriptions, in id order.</returns>
    ValueTask<IReadOnlyList<WebhookSubscription>> FindActiveAsync(string eventType, CancellationToken cancellationToken = default);
}
