using Microsoft.Extensions.DependencyInjection;

namespace Webhooks.Sender;

/// <summary>Configures the webhook sender after <c>AddWebhookSender()</c>: its stores.</summary>
public interface IWebhookSenderBuilder
{
    /// <summary>Gets the service collection.</summary>
    IServiceCollection Services { get; }
}
