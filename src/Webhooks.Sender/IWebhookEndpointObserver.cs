using System.Threading;
using System.Threading.Tasks;
using Webhooks.Sender.Subscriptions;

namespace Webhooks.Sender;

/// <summary>
/// Told when the sender disables a subscription: after a 410 (reason <c>gone</c>), or after its endpoint failed for
/// <see cref="WebhookSenderOptions.DisableAfterFailingFor"/> without one success (reason <c>failing</c>). Register any number in
/// the services; each is called once per disabling, and a failing observer does not stop the others.
/// </summary>
public interface IWebhookEndpointObserver
{
    /// <summary>Called after the subscription was disabled.</summary>
    /// <param name="subscription">The subscription, as disabled.</param>
    /// <param name="reason"><c>gone</c> or <c>failing</c>.</param>
    /// <param name="cancellationToken">Cancelled when the sender stops.</param>
    /// <returns>A task that completes when the observer is done.</returns>
    ValueTask OnEndpointDisabledAsync(WebhookSubscription subscription, string reason, CancellationToken cancellationToken);
}
