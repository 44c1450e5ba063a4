using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Webhooks.Processing;

namespace Webhooks.Sender.Sending;

/// <summary>The hosted service that sends: a <see cref="WebhookWorkQueue"/> over the outbox with the sender's retry schedule.</summary>
internal sealed class WebhookSendingService(WebhookWorkQueue queue) : IHostedService, IDisposable
{
    internal WebhookWorkQueue Queue { get; } = queue;

    public Task StartAsync(CancellationToken cancellationToken) => Queue.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Queue.StopAsync(cancellationToken);

    public void Dispose() => Queue.Dispose();
}
