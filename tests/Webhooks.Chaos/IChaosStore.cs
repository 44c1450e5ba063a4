using Webhooks.Storage;

namespace Webhooks.Chaos;

/// <summary>The store the fleet shares, started by the driver: what the receivers are told, how it is cut off, what is read after.</summary>
internal interface IChaosStore : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The receivers' command-line arguments that point them at this store.</summary>
    string[] ReceiverArguments { get; }

    /// <summary>Whether a handler's effect commits with its record, so that no effect may be made twice even across kills.</summary>
    bool ExactlyOnce { get; }

    /// <summary>Stops the server as a crash would, for an outage.</summary>
    Task StopAsync();

    /// <summary>Starts the stopped server again on the same port and data.</summary>
    Task StartAgainAsync();

    Task<WebhookEventCounts> WaitForProcessingAsync(int acknowledged, TimeSpan within);

    /// <summary>Each delivery's event summary (null when lost) and how many times its effect was made.</summary>
    Task<IReadOnlyList<(string Id, WebhookEventSummary? Summary, long Effects)>> ReadAsync(IEnumerable<string> ids);
}
