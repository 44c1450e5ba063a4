using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
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

    [Theory]
    [InlineData("Webhooks:MaxBodyBytes", "0", "Webhooks:MaxBodyBytes")]
    [InlineData("Webhooks:GitHub:MaxBodyBytes", "-1", "Webhooks:GitHub:MaxBodyBytes")]
    [InlineData("Webhooks:StoreTimeout", "00:00:00", "Webhooks:StoreTimeout")]
    [InlineData("Webhooks:Stripe:Tolerance", "-00:00:01", "Webhooks:Stripe:Tolerance")]
    public async Task InvalidEndpointSetting_StartFailsNamingTheKey(string key, string value, string named)
    {
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverHost.StartAsync(configuration: c => c[key] = value));
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

    [Fact]
    public async Task SecretProviderFailsAfterStart_503SecretsUnavailable()
    {
        var vault = new FlakyVault();
        await using ReceiverHost host = await ReceiverHost.StartAsync(
            s => s.AddSingleton<IWebhookSecretProvider>(vault),
            c => c["Webhooks:SecretCacheDuration"] = "00:00:00");
        vault.Down = true;

        HttpResponseMessage response = await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{}", "v"));
        (int status, System.Text.Json.JsonElement body) = await ReceiverHost.ReadAsync(response);
        Assert.Equal(503, status);
        Assert.Equal("secrets_unavailable", body.GetProperty("error").GetString());
        Assert.True(response.Headers.Contains("Retry-After"));

        vault.Down = false;
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub(ReceiverHost.GitHubSecret, "push", "{}", "v"))).StatusCode);
    }

    private sealed class FlakyVault : IWebhookSecretProvider
    {
        private volatile bool _down;

        public bool Down { get => _down; set => _down = value; }

        public ValueTask<IReadOnlyList<WebhookSecret>> GetSecretsAsync(WebhookSource source, CancellationToken cancellationToken)
        {
            if (Down)
            {
                throw new TimeoutException("vault did not answer");
            }

            string secret = source.Kind switch
            {
                WebhookSourceKind.GitHub => ReceiverHost.GitHubSecret,
                WebhookSourceKind.Stripe => ReceiverHost.StripeSecret,
                _ => ReceiverHost.AcmeSecret,
            };
            return ValueTask.FromResult<IReadOnlyList<WebhookSecret>>([new WebhookSecret(secret)]);
        }
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
