using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Processing;

/// <summary>
/// Does the work for one kind of event. Resolved from a new dependency-injection scope for every attempt.
/// </summary>
/// <remarks>
/// A handler may run more than once for the same event: when an attempt fails and is retried, when a worker dies after the
/// handler's side effects but before completion was recorded, or on replay. Make side effects idempotent (key them by
/// <see cref="WebhookEvent.Id"/>). Throw to fail the attempt (it is retried by the <see cref="IRetryPolicy"/>), or throw
/// <see cref="WebhookPermanentFailureException"/> to make the event dead at once. Honour the cancellation token: it fires when
/// the lease is about to run out or the host shuts down.
/// </remarks>
public interface IWebhookHandler
{
    /// <summary>Processes one event.</summary>
    /// <param name="webhookEvent">The stored event, with its raw body.</param>
    /// <param name="cancellationToken">Fires when the attempt must stop.</param>
    /// <returns>A task that completes when the work is done.</returns>
    Task HandleAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken);
}
