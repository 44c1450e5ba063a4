using System;

namespace Webhooks.Sender.Sending;

/// <summary>An attempt that failed in a way worth retrying: a 5xx, 408, 409, 425, 429 or 3xx answer, a timeout, or a connection error.</summary>
internal sealed class WebhookDeliveryFailedException : Exception
{
    public WebhookDeliveryFailedException(string message, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the wait the endpoint asked for with <c>Retry-After</c>, if it did.</summary>
    public TimeSpan? RetryAfter { get; }
}
