namespace WebhookReceiver;

/// <summary>
/// The <c>Sample</c> configuration section, to watch queueing, retries, dead letters and recovery: <c>Sample:WorkDelayMs</c>
/// (default 0) makes the handlers slow; <c>Sample:FailRate</c> (0 to 1, default 0) makes that share of handler runs fail.
/// </summary>
internal sealed class SampleOptions
{
    public int WorkDelayMs { get; set; }

    public double FailRate { get; set; }

    /// <summary>Gets or sets how long the PostgreSQL payment ledger waits between its write and its commit (<c>Sample:CommitDelayMs</c>).</summary>
    public int CommitDelayMs { get; set; }
}
