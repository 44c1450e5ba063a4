using System;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Webhooks.Sender.Diagnostics;

/// <summary>
/// The sender's own instruments and spans, on the meter and activity source <c>Webhooks.Sender</c> (beside the outbox dispatcher's
/// <c>webhooks.outbox.*</c>): messages published, attempts by outcome, attempt duration, endpoints disabled; a <c>webhook.publish</c>
/// span per publish and a <c>webhook.send</c> span per attempt.
/// </summary>
internal sealed class SenderDiagnostics
{
    public const string Name = "Webhooks.Sender";

    public static readonly ActivitySource ActivitySource = new(Name);

    public SenderDiagnostics(IMeterFactory? meterFactory = null)
    {
        Meter meter = meterFactory?.Create(Name) ?? new Meter(Name);
        Published = meter.CreateCounter<long>("webhooks.sender.published", "{message}", "Messages published (with at least one delivery stored).");
        Deliveries = meter.CreateCounter<long>("webhooks.sender.deliveries", "{delivery}", "Deliveries stored in the outbox by publishing.");
        Attempts = meter.CreateCounter<long>("webhooks.sender.attempts", "{attempt}", "Delivery attempts, by outcome (tag webhook.outcome: delivered, failed, rejected).");
        AttemptDuration = meter.CreateHistogram<double>("webhooks.sender.attempt.duration", "s", "Time from sending a delivery to the end of the response headers, or to its failure.");
        EndpointsDisabled = meter.CreateCounter<long>("webhooks.sender.endpoints.disabled", "{subscription}", "Subscriptions the sender disabled (tag webhook.reason: gone, failing).");
    }

    public Counter<long> Published { get; }

    public Counter<long> Deliveries { get; }

    public Counter<long> Attempts { get; }

    public Histogram<double> AttemptDuration { get; }

    public Counter<long> EndpointsDisabled { get; }

    public void Attempted(string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "webhook.outcome", outcome } };
        Attempts.Add(1, tags);
        AttemptDuration.Record(duration.TotalSeconds, tags);
    }
}
