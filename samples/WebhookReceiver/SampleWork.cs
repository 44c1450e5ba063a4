namespace WebhookReceiver;

/// <summary><c>Sample:WorkDelayMs</c> (default 0) makes the handlers simulate slow work, to watch queueing, retries and recovery.</summary>
internal static class SampleWork
{
    public static Task DelayAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        int delay = configuration.GetValue("Sample:WorkDelayMs", 0);
        return delay > 0 ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;
    }
}
