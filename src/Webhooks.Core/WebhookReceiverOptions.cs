using System;
using Microsoft.Extensions.Options;
using Webhooks.Processing;

namespace Webhooks;

/// <summary>Options of the receiving pipeline, bound from the <c>Webhooks</c> configuration section and validated at start-up.</summary>
public sealed class WebhookReceiverOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Webhooks";

    /// <summary>The default of <see cref="ProcessedRetention"/>: 72 hours, the span over which GitHub and Stripe may deliver the same event again.</summary>
    public static readonly TimeSpan DefaultProcessedRetention = TimeSpan.FromHours(72);

    /// <summary>Gets or sets how long processed event ids are remembered, so that a redelivery inside that span is recognised as a duplicate.</summary>
    /// <value>1 minute to 365 days; 72 hours by default (<c>Webhooks:ProcessedRetention</c>).</value>
    public TimeSpan ProcessedRetention { get; set; } = DefaultProcessedRetention;

    /// <summary>Gets the retry schedule (<c>Webhooks:Retry</c>).</summary>
    [ValidateObjectMembers]
    public RetryOptions Retry { get; } = new();

    /// <summary>Gets the dispatcher settings (<c>Webhooks:Processing</c>).</summary>
    [ValidateObjectMembers]
    public ProcessingOptions Processing { get; } = new();

    /// <summary>Gets the limits of the in-memory stores (<c>Webhooks:InMemory</c>).</summary>
    [ValidateObjectMembers]
    public InMemoryStoreOptions InMemory { get; } = new();
}
