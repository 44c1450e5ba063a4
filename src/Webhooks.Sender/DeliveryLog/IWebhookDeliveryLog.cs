using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Sender.DeliveryLog;

/// <summary>Every delivery attempt, kept for the sender's retention and read per subscription or per message.</summary>
public interface IWebhookDeliveryLog
{
    /// <summary>Records an attempt, giving it the next sequence number.</summary>
    /// <param name="attempt">The attempt.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The attempt as recorded.</returns>
    ValueTask<WebhookDeliveryAttempt> RecordAsync(WebhookDeliveryAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>Reads attempts, newest first.</summary>
    /// <param name="subscriptionId">Only this subscription's attempts, or all when <see langword="null"/>.</param>
    /// <param name="messageId">Only this message's attempts, or all when <see langword="null"/>.</param>
    /// <param name="before">Only attempts with a smaller sequence number (the previous page's last), or from the newest when <see langword="null"/>.</param>
    /// <param name="limit">The most to return, 1 or more.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The attempts.</returns>
    ValueTask<IReadOnlyList<WebhookDeliveryAttempt>> ListAsync(string? subscriptionId, string? messageId, long? before, int limit, CancellationToken cancellationToken = default);
}
