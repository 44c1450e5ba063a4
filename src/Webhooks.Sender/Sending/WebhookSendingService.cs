using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Webhooks.Processing;

namespace Webhooks.Sender.Sending;

/// <summary>The hosted service that sends: the receiver's dispatcher, run over the outbox with the sender's retry schedule.</summary>
internal sealed class WebhookSendingService : IHostedService, IDisposable
{
    public WebhookSendingService(WebhookDispatcher dispatcher)
    {
        Dispatcher = dispatcher;
    }

    internal WebhookDispatcher Dispatcher { get; }

    public Task StartAsync(CancellationToken cancellationToken) => Dispatcher.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Dispatcher.StopAsync(cancellationToken);

    public void Dispose() => Dispatcher.Dispose();
}
