namespace WebhookReceiver;

/// <summary>The <c>Sample</c> configuration section: <c>Sample:WorkDelayMs</c> (default 0) makes the handlers simulate slow work, to watch queueing, retries and recovery.</summary>
internal sealed class SampleOptions
{
    public int WorkDelayMs { get; set; }
}
