using Microsoft.Extensions.DependencyInjection;

namespace Webhooks;

internal sealed class WebhookReceiverBuilder(IServiceCollection services) : IWebhookReceiverBuilder
{
    public IServiceCollection Services { get; } = services;
}
