using System;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.AspNetCore.Endpoints;
using Webhooks.Sources;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the webhook endpoints.</summary>
public static class WebhookEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST {prefix}/{source}</c> for every source added with <c>AddGitHub()</c>, <c>AddStripe()</c> or <c>AddStandardWebhooks()</c>.
    /// Every response is JSON: 202 queued, 200 duplicate, 401, 400, 413, 404, 422 or 503 with a stable error code.
    /// </summary>
    /// <param name="endpoints">The route builder (usually the <c>WebApplication</c>).</param>
    /// <param name="prefix">The route prefix; <c>/webhooks</c> by default.</param>
    /// <returns>A builder to add conventions (rate limiting, host filtering, authorization).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="prefix"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddWebhookReceiver()</c> was not called, or no source was added.</exception>
    public static IEndpointConventionBuilder MapWebhooks(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string prefix = "/webhooks")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        EnsureReceiver(endpoints.ServiceProvider);
        IServiceProvider services = endpoints.ServiceProvider;
        WebhookSources sources = services.GetRequiredService<WebhookSources>();
        if (sources.Count == 0)
        {
            throw new InvalidOperationException(
                "No webhook source is configured. Add one with builder.Services.AddWebhookReceiver().AddGitHub(), .AddStripe() or .AddStandardWebhooks(name), or configure a Standard Webhooks source under Webhooks:Sources:<name>.");
        }

        var handler = new WebhookEndpointHandler(
            sources,
            services.GetRequiredService<WebhookPipeline>(),
            services.GetRequiredService<IOptionsMonitor<WebhookSourceOptions>>(),
            services.GetRequiredService<IOptionsMonitor<Webhooks.WebhookReceiverOptions>>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetService<ILogger<WebhookEndpointHandler>>());

        return endpoints.MapPost(Combine(prefix, "{source}"), handler.HandleAsync).WithDisplayName("Webhooks: receive");
    }

    /// <summary>
    /// Maps the admin endpoints under <paramref name="prefix"/>:
    /// <list type="bullet">
    /// <item><c>GET events?status=dead&amp;limit=50&amp;cursor=…</c>: summaries, newest first, without bodies;</item>
    /// <item><c>GET events/{id}</c>: one summary; <c>GET events/{id}/body</c>: the raw bytes with the stored <c>Content-Type</c>;</item>
    /// <item><c>POST events/{id}/replay[?force=true]</c>: replay one; <c>POST events/replay?status=dead[&amp;limit=100]</c>: replay dead events in bulk;</item>
    /// <item><c>DELETE events/{id}</c>: forget one.</item>
    /// </list>
    /// Every answer is JSON with a stable error code; a store that is down answers 503 <c>store_unavailable</c> with <c>Retry-After</c>.
    /// The operations and their responses are described for the application's OpenAPI document (tag <c>Webhooks admin</c>).
    /// The endpoints are not protected by themselves: add <c>.RequireAuthorization()</c>.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The route prefix; <c>/webhooks/admin</c> by default.</param>
    /// <returns>The group's convention builder, to add authorization.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="prefix"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddWebhookReceiver()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapWebhookAdmin(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string prefix = "/webhooks/admin")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        IServiceProvider services = endpoints.ServiceProvider;
        EnsureReceiver(services);
        var admin = new WebhookAdminEndpoints(
            services.GetRequiredService<IWebhookEventStore>(),
            services.GetRequiredService<WebhookPipeline>(),
            services.GetRequiredService<IOptionsMonitor<Webhooks.WebhookReceiverOptions>>(),
            services.GetService<ILogger<WebhookAdminEndpoints>>());
        return admin.Map(endpoints, prefix);
    }

    private static void EnsureReceiver(IServiceProvider services)
    {
        if (services.GetService<WebhookPipeline>() is null)
        {
            throw new InvalidOperationException("Unable to find the webhook receiver services. Call builder.Services.AddWebhookReceiver() in the application's service configuration.");
        }
    }

    private static string Combine(string prefix, string segment) => prefix.TrimEnd('/') + "/" + segment;
}
