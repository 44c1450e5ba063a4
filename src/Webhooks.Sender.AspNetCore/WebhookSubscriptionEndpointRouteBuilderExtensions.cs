using System;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webhooks.Sender.AspNetCore;
using Webhooks.Sender.DeliveryLog;
using Webhooks.Sender.Publishing;
using Webhooks.Sender.Subscriptions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the management endpoints of the webhook sender.</summary>
public static class WebhookSubscriptionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the subscription endpoints under <paramref name="prefix"/>: <c>POST /</c> create (201, the secret only here and on
    /// rotation; a <c>secret</c> may be given to keep one from another system), <c>GET /</c> list (<c>after</c>, <c>limit</c>), <c>GET /{id}</c>, <c>PATCH /{id}</c> (a new URL is checked again),
    /// <c>DELETE /{id}</c>, <c>POST /{id}/rotate-secret</c> (<c>overlapSeconds</c>), <c>GET /{id}/deliveries</c> and
    /// <c>GET /messages/{messageId}/deliveries</c> (the delivery log, <c>before</c>, <c>limit</c>),
    /// <c>POST /{id}/deliveries/{messageId}/resend</c> and <c>POST /{id}/test</c> (a <c>webhook.test</c> event). The operations
    /// and their responses are described for the application's OpenAPI document (tag <c>Webhook subscriptions</c>). Add
    /// authorization to the returned builder: these endpoints hand out secrets.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The route prefix; <c>/webhooks/subscriptions</c> by default.</param>
    /// <returns>The group's convention builder, for <c>.RequireAuthorization(…)</c>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddWebhookSender()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapWebhookSubscriptions(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string prefix = "/webhooks/subscriptions")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        IServiceProvider services = endpoints.ServiceProvider;
        WebhookSubscriptions subscriptions = services.GetService<WebhookSubscriptions>()
            ?? throw new InvalidOperationException("Unable to find the webhook sender services. Call builder.Services.AddWebhookSender() in the application's service configuration.");
        var handler = new WebhookSubscriptionEndpoints(
            subscriptions,
            services.GetRequiredService<IWebhookPublisher>(),
            services.GetRequiredService<WebhookTestEvents>(),
            services.GetRequiredService<IWebhookDeliveryLog>(),
            services.GetService<ILogger<WebhookSubscriptionEndpoints>>());
        return handler.Map(endpoints, prefix);
    }
}
