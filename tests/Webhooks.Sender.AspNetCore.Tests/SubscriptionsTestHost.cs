using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Webhooks.Sender.AspNetCore.Tests;

/// <summary>A test server with the sender (development endpoints allowed) and its management endpoints at <c>/admin/subscriptions</c>.</summary>
internal static class SubscriptionsTestHost
{
    /// <summary>Starts the host; <paramref name="before"/> registers services first, which <c>AddWebhookSender</c> then keeps.</summary>
    public static async Task<IHost> StartAsync(Action<IServiceCollection>? before = null)
    {
        IHost host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    before?.Invoke(s);
                    s.AddWebhookSender(o => o.AllowInsecureDevelopmentEndpoints = true);
                })
                .Configure(app => app.UseRouting().UseEndpoints(e => e.MapWebhookSubscriptions("/admin/subscriptions"))))
            .Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Reads a JSON answer, checking that it says it is JSON.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }
}
