using Microsoft.Extensions.Options;

namespace WebhookReceiver;

/// <summary>The simulated work of the sample's handlers, read from the options (bound once, updated when the configuration changes).</summary>
internal sealed class SampleWork(IOptionsMonitor<SampleOptions> options)
{
    /// <summary>Waits <c>Sample:WorkDelayMs</c>, then fails with the chance <c>Sample:FailRate</c>: the dispatcher retries, and after the last attempt the event is dead.</summary>
    public async Task DoAsync(CancellationToken cancellationToken)
    {
        SampleOptions current = options.CurrentValue;
        if (current.WorkDelayMs > 0)
        {
            await Task.Delay(current.WorkDelayMs, cancellationToken);
        }

        if (current.FailRate > 0 && Random.Shared.NextDouble() < current.FailRate)
        {
            throw new SimulatedFailureException($"Simulated failure (Sample:FailRate is {current.FailRate}).");
        }
    }
}
