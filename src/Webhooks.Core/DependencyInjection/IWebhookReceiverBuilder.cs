using Microsoft.Extensions.DependencyInjection;

namespace Webhooks;

/// <summary>Configures the webhook receiver registered by <c>AddWebhookReceiver()</c>; other packages add methods to it (for example <c>UseRedis</c>).</summary>
public interface IWebhookReceiverBuilder
{
    /// <summary>Gets the service collection the receiver is registered in.</summary>
    IServiceCollection Services { get; }
}
