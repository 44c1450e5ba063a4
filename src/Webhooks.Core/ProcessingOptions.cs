using System;
using System.ComponentModel.DataAnnotations;

namespace Webhooks;

/// <summary>How the dispatcher runs handlers (<c>Webhooks:Processing</c>).</summary>
public sealed class ProcessingOptions
{
    /// <summary>Gets or sets how many events are processed at once.</summary>
    /// <value>1 to 1024; twice the processor count by default.</value>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = Environment.ProcessorCount * 2;

    /// <summary>Gets or sets how long a worker holds an event; a handler still running then is cancelled, and after it another worker may take the event over.</summary>
    /// <value>1 second to 1 day; 5 minutes by default.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how often the store is asked for due work: retries whose time has come, and events left behind by a stopped or crashed process.</summary>
    /// <value>10 milliseconds to 10 minutes; 1 second by default.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many due events are fetched per poll.</summary>
    /// <value>1 to 10,000; 256 by default.</value>
    [Range(1, 10_000)]
    public int PollBatchSize { get; set; } = 256;
}
