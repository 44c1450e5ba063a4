using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
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

/// <summary>Limits of the in-memory stores (<c>Webhooks:InMemory</c>).</summary>
public sealed class InMemoryStoreOptions
{
    /// <summary>Gets or sets how many events the in-memory event store holds; when full (after dropping expired processed events) deliveries are refused with 503.</summary>
    /// <value>1 to 10,000,000; 100,000 by default.</value>
    [Range(1, 10_000_000)]
    public int MaxEvents { get; set; } = 100_000;

    /// <summary>Gets or sets how many keys the in-memory idempotency store holds.</summary>
    /// <value>1 to 10,000,000; 200,000 by default.</value>
    [Range(1, 10_000_000)]
    public int MaxIdempotencyKeys { get; set; } = 200_000;
}

/// <summary>Validates the ranges declared on the options, without reflection.</summary>
[OptionsValidator]
internal sealed partial class WebhookReceiverOptionsValidator : IValidateOptions<WebhookReceiverOptions>
{
}

/// <summary>Rules that span more than one option.</summary>
internal sealed class WebhookReceiverOptionsCrossValidator : IValidateOptions<WebhookReceiverOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookReceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        Check(builder, "Webhooks:ProcessedRetention", options.ProcessedRetention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        Check(builder, "Webhooks:Retry:BaseDelay", options.Retry.BaseDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));
        Check(builder, "Webhooks:Retry:MaxDelay", options.Retry.MaxDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(7));
        Check(builder, "Webhooks:Processing:LeaseDuration", options.Processing.LeaseDuration, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Check(builder, "Webhooks:Processing:PollInterval", options.Processing.PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        if (options.Retry.MaxDelay < options.Retry.BaseDelay)
        {
            builder.AddError("Webhooks:Retry:MaxDelay must not be shorter than Webhooks:Retry:BaseDelay.");
        }

        return builder.Build();
    }

    private static void Check(ValidateOptionsResultBuilder builder, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            builder.AddError(string.Create(CultureInfo.InvariantCulture, $"{key} is {value}; it must be between {min} and {max}."));
        }
    }
}
