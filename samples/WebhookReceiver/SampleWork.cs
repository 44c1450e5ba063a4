using Microsoft.Extensions.Options;

namespace WebhookReceiver;

/// <summary>The simulated work of the sample's handlers, read from the options (bound once, updated when the configuration changes).</summary>
internal sealed class SampleWork(IOptionsMonitor<SampleOptions> options)
{
    public Task DelayAsync(CancellationToken cancellationToken)
    {
        int delay = options.CurrentValue.WorkDelayMs;
        return delay > 0 ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;
    }
}
