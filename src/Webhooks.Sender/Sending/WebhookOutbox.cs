using System.Threading;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.Sender.Sending;

/// <summary>
/// The outbox: deliveries waiting to be sent, as events in an <see cref="IWebhookEventStore"/> of their own (one event per message and
/// subscription, its source the subscription's id), claimed, leased, retried and made dead by a <see cref="WebhookWorkQueue"/>.
/// </summary>
internal sealed class WebhookOutbox
{
    private WebhookWorkQueue? _queue;

    public WebhookOutbox(IWebhookEventStore store)
    {
        Store = store;
    }

    public IWebhookEventStore Store { get; }

    /// <summary>Connects the queue that sends this outbox's deliveries, so that a publish here wakes it.</summary>
    public void Attach(WebhookWorkQueue queue) => Volatile.Write(ref _queue, queue);

    /// <summary>Wakes this process's sending queue: a delivery was stored or queued again.</summary>
    public void Notify() => Volatile.Read(ref _queue)?.Notify();

    /// <summary>The outbox event id of a message's delivery to a subscription: <c>&lt;subscription id&gt;:&lt;message id&gt;</c>.</summary>
    public static string DeliveryId(string subscriptionId, string messageId) => WebhookEvent.CreateId(subscriptionId, messageId);

    /// <summary>The message id of an outbox event.</summary>
    public static string MessageIdOf(WebhookEvent delivery) => delivery.Id[(delivery.Source.Length + 1)..];
}
