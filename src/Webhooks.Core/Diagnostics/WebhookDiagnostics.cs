using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Webhooks.Diagnostics;

/// <summary>
/// Names of the library's telemetry: the <see cref="ActivitySource"/> and <see cref="Meter"/> called <c>Webhooks</c>.
/// Subscribe to them (for example <c>AddSource("Webhooks")</c> and <c>AddMeter("Webhooks")</c> in OpenTelemetry).
/// </summary>
public static class WebhookDiagnostics
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Webhooks";

    internal static readonly ActivitySource ActivitySource = new(Name);
}
