using System;
using System.ComponentModel.DataAnnotations;

namespace Webhooks.Processing;

/// <summary>
/// The settings of a <see cref="WebhookWorkQueue"/>: how many events run at once, how long a claim lasts, how long handlers may
/// run, how often an idle queue looks for work. The receiver's are bound from <c>Webhooks:Processing</c>; the sender sets its
/// outbox queue's from <c>Webhooks:Sender</c>.
/// </summary>
public sealed class WebhookWorkQueueOptions
{
    /// <summary>Gets or sets how many events this process works on at once.</summary>
    /// <value>1 to 1024; twice the processor count by default.</value>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = Environment.ProcessorCount * 2;

    /// <summary>
    /// Gets or sets how long a claim on an event lasts unless renewed. The dispatcher renews it every third of this span while
    /// handlers run; when it cannot (the store is down, or another worker took the event over), the handlers are cancelled a
    /// little before the lease ends. After a process crashes, its events are taken over once this span has passed.
    /// </summary>
    /// <value>1 second to 1 hour; 1 minute by default.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long the handlers of one attempt may run before they are cancelled and the attempt counts as failed.</summary>
    /// <value>1 second to 1 day; 5 minutes by default.</value>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how often the store is asked for due work when this process has nothing to do: retries whose time has come,
    /// deliveries accepted by other processes, and events left behind by a stopped or crashed one. A delivery this process
    /// accepts wakes its workers at once.
    /// </summary>
    /// <value>10 milliseconds to 10 minutes; 1 second by default.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the most events claimed from the store in one call. A process claims up to twice <see cref="Concurrency"/>
    /// events more than it has free workers, within this: a worker that frees finds its next event claimed already. A claim that
    /// waits half of <see cref="LeaseDuration"/> for a worker is given back, not counted.
    /// </summary>
    /// <value>1 to 10,000; 64 by default.</value>
    [Range(1, 10_000)]
    public int ClaimBatchSize { get; set; } = 64;

    /// <summary>Gets or sets the longest wait between two tries while the store fails; waits double from <see cref="PollInterval"/> up to this.</summary>
    /// <value>10 milliseconds to 10 minutes; 30 seconds by default.</value>
    public TimeSpan MaxStoreBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long, at shutdown, cancelled handlers are given to return and write their events back, once the host's
    /// shutdown timeout has passed. A handler still running then is left behind; its claim expires and another process takes it.
    /// </summary>
    /// <value>0 to 1 minute; 5 seconds by default.</value>
    public TimeSpan ShutdownWriteBackTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Copies every setting to <paramref name="target"/>.</summary>
    internal void CopyTo(WebhookWorkQueueOptions target)
    {
        target.Concurrency = Concurrency;
        target.LeaseDuration = LeaseDuration;
        target.HandlerTimeout = HandlerTimeout;
        target.PollInterval = PollInterval;
        target.ClaimBatchSize = ClaimBatchSize;
        target.MaxStoreBackoff = MaxStoreBackoff;
        target.ShutdownWriteBackTimeout = ShutdownWriteBackTimeout;
    }
}
