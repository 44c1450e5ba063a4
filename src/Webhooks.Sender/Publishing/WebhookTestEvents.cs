using System;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender.Publishing;

/// <summary>
/// Sends a <c>webhook.test</c> event (<c>{"test":true}</c>) to one subscription only, through the outbox like any message, so
/// that a customer can check their endpoint. Registered by <c>AddWebhookSender()</c>; it uses the library's own publisher even
/// when the application replaced <see cref="IWebhookPublisher"/>.
/// </summary>
public sealed class WebhookTestEvents
{
    /// <summary>The event type of a test event.</summary>
    public const string EventType = "webhook.test";

    private static readonly byte[] TestData = """{"test":true}"""u8.ToArray();

    private readonly WebhookPublisher _publisher;

    internal WebhookTestEvents(WebhookPublisher publisher) => _publisher = publisher;

    /// <summary>Stores a test event for <paramref name="subscription"/> alone, active or not, and returns its message id.</summary>
    /// <param name="subscription">The subscription to send it to.</param>
    /// <param name="cancellationToken">Stops waiting for the outbox.</param>
    /// <returns>The message id and the one delivery stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="subscription"/> is <see langword="null"/>.</exception>
    public ValueTask<WebhookPublishResult> SendAsync(WebhookSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return _publisher.PublishToAsync(subscription, EventType, TestData, cancellationToken);
    }
}
