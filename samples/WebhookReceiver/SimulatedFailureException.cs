namespace WebhookReceiver;

/// <summary>A handler failure made on purpose by <c>Sample:FailRate</c>.</summary>
internal sealed class SimulatedFailureException(string message) : Exception(message);
