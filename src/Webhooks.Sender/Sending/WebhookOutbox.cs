using System;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.Sender.Sending;

/// <summary>
/// The outbox: deliveries waiting to be sent, as events in an <see cref="IEventStore"/> of their own (one event per message and
/// subscription, its source the subscription's id), claimed, leased, retried and made dead by the receiver's own dispatcher.
/// </summary>
internal sealed class WebhookOutbox : IDisposable
{
    public WebhookOutbox(IEventStore store)
    {
        Store = store;
    }

    public IEventStore Store { get; }

    /// <summary>Gets the signal that wakes this process's sending dispatcher when a message is published here.</summary>
    public WebhookWorkSignal Signal { get; } = new();

    /// <summary>The outbox event id of a message's delivery to a subscription: <c>&lt;subscription id&gt;:&lt;message id&gt;</c>.</summary>
    public static string DeliveryId(string subscriptionId, string messageId) => WebhookEvent.CreateId(subscriptionId, messageId);

    /// <summary>The message id of an outbox event.</summary>
    public static string MessageIdOf(WebhookEvent delivery) => delivery.Id[(delivery.Source.Length + 1)..];

    public void Dispose() => Signal.Dispose();
}
