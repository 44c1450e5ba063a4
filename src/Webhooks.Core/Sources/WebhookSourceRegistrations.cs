using System.Collections.Generic;
using Microsoft.Extensions.DependencyInjection;

namespace Webhooks.Sources;

/// <summary>The sources added in code, collected while services are registered.</summary>
internal sealed class WebhookSourceRegistrations
{
    public List<WebhookSource> Sources { get; } = [];

    /// <summary>The collection's instance, added on first use.</summary>
    public static WebhookSourceRegistrations Of(IServiceCollection services)
    {
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(WebhookSourceRegistrations) && descriptor.ImplementationInstance is WebhookSourceRegistrations existing)
            {
                return existing;
            }
        }

        var registrations = new WebhookSourceRegistrations();
        services.AddSingleton(registrations);
        return registrations;
    }
}
