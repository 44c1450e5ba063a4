using System;
using Webhooks.Processing;

namespace Webhooks.Sender.Sending;

/// <summary>The sender's schedule: one delay per retry from <see cref="WebhookSenderOptions.RetrySchedule"/>, spread by the jitter; a <c>Retry-After</c> replaces the scheduled delay, within bounds.</summary>
internal sealed class SenderRetryPolicy : IRetryPolicy
{
    private readonly WebhookSenderOptions _options;
    private readonly Func<double> _random;

    public SenderRetryPolicy(WebhookSenderOptions options, Func<double>? random = null)
    {
        _options = options;
        _random = random ?? Random.Shared.NextDouble;
    }

    public TimeSpan? GetRetryDelay(int attempts, Exception exception)
    {
        if (attempts > _options.RetrySchedule.Count)
        {
            return null;
        }

        if (exception is WebhookDeliveryFailedException { RetryAfter: { } asked })
        {
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > _options.MaxRetryAfter ? _options.MaxRetryAfter : asked;
        }

        TimeSpan scheduled = _options.RetrySchedule[attempts - 1];
        double spread = 1 + (((_random() * 2) - 1) * _options.RetryJitter);
        return scheduled * spread;
    }
}
