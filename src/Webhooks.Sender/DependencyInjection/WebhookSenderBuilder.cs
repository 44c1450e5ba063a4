using Microsoft.Extensions.DependencyInjection;

namespace Webhooks.Sender.DependencyInjection;

internal sealed class WebhookSenderBuilder(IServiceCollection services) : IWebhookSenderBuilder
{
    public IServiceCollection Services { get; } = services;
}
