using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.AspNetCore.Sources;
using Webhooks.Signatures;
using Webhooks.Testing;

namespace Webhooks.AspNetCore.Tests.Endpoints;

public class ConfigurationTests
{
    [Theory]
    [InlineData("Webhooks:GitHub:Secret", "Webhooks:GitHub:Secret")]
    [InlineData("Webhooks:Stripe:Secret", "Webhooks:Stripe:Secret")]
    [InlineData("Webhooks:Sources:acme:Secret", "Webhooks:Sources:acme:Secret")]
    public async Task MissingSecret_StartFailsNamingTheKey(string removed, string named)
    {
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverHost.StartAsync(configuration: c => c.Remove(removed)));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidStandardWebhooksSecret_StartFailsNamingTheKey()
    {
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverHost.StartAsync(configuration: c => c["Webhooks:Sources:acme:Secret"] = "whsec_***"));
        Assert.Contains("Webhooks:Sources:acme", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("***", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapWebhooks_WithoutAddWebhookReceiver_ThrowsClearly()
    {
        WebApplication app = WebApplication.CreateBuilder().Build();
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => app.MapWebhooks());
        Assert.Contains("AddWebhookReceiver", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => app.MapWebhookAdmin());
    }

    [Fact]
    public void MapWebhooks_WithoutSources_ThrowsClearly()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Services.AddWebhookReceiver();
        WebApplication app = builder.Build();
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => app.MapWebhooks());
        Assert.Contains("AddGitHub", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddStandardWebhooks_InvalidName_Throws()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>("name", () => services.AddWebhookReceiver().AddStandardWebhooks("bad/name"));
    }

    [Fact]
    public async Task CustomSecretProvider_SuppliesSecrets()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(
            s => s.AddSingleton<IWebhookSecretProvider>(new VaultProvider()),
            c => c.Remove("Webhooks:GitHub:Secret"));
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub("from-vault", "push", "{}", "v"))).StatusCode);
    }

    private sealed class VaultProvider : IWebhookSecretProvider
    {
        public async ValueTask<IReadOnlyList<WebhookSecret>> GetSecretsAsync(WebhookSource source, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return source.Kind switch
            {
                WebhookSourceKind.GitHub => [new WebhookSecret("from-vault")],
                WebhookSourceKind.Stripe => [new WebhookSecret(ReceiverHost.StripeSecret)],
                _ => [new WebhookSecret(ReceiverHost.AcmeSecret)],
            };
        }
    }
}
