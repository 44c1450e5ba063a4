using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Webhooks.Providers;
using Webhooks.Signatures;
using Webhooks.Sources;
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
        // Removed, or left empty (a Standard Webhooks source exists as soon as its section has a key).
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverHost.StartAsync(configuration: c => c[removed] = ""));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        if (!removed.StartsWith("Webhooks:Sources:", StringComparison.Ordinal))
        {
            ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiverHost.StartAsync(configuration: c => c.Remove(removed)));
            Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Webhooks:MaxBodyBytes", "0", "Webhooks:MaxBodyBytes")]
    [InlineData("Webhooks:MaxBodyBytes", "268435457", "Webhooks:MaxBodyBytes")]
    [InlineData("Webhooks:GitHub:MaxBodyBytes", "-1", "Webhooks:GitHub:MaxBodyBytes")]
    [InlineData("Webhooks:GitHub:MaxBodyBytes", "300000000", "Webhooks:GitHub:MaxBodyBytes")]
    [InlineData("Webhooks:Sources:acme:MaxBodyBytes", "lots", "Webhooks:Sources:acme:MaxBodyBytes")]
    [InlineData("Webhooks:StoreTimeout", "00:00:00", "Webhooks:StoreTimeout")]
    [InlineData("Webhooks:RetryAfter", "00:00:00", "Webhooks:RetryAfter")]
    [InlineData("Webhooks:SecretLookupTimeout", "00:00:00", "Webhooks:SecretLookupTimeout")]
    [InlineData("Webhooks:Stripe:Tolerance", "-00:00:01", "Webhooks:Stripe:Tolerance")]
    [InlineData("Webhooks:Stripe:Tolerance", "soon", "Webhooks:Stripe:Tolerance")]
    [InlineData("Webhooks:GitHub:DeduplicateByBody", "maybe", "Webhooks:GitHub:DeduplicateByBody")]
    [InlineData("Webhooks:Sources:bad name:Secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "Webhooks:Sources:bad name")]
    public async Task InvalidSetting_StartFailsNamingTheKey(string key, string value, string named)
    {
        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => ReceiverHost.StartAsync(configuration: c => c[key] = value));
        Assert.True(ex is InvalidOperationException or OptionsValidationException, ex.GetType().Name);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretWindow_Empty_Or_Without_Value_StartFailsNamingTheEntry()
    {
        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => ReceiverHost.StartAsync(configuration: c =>
        {
            c["Webhooks:GitHub:Secrets:0:Value"] = "old";
            c["Webhooks:GitHub:Secrets:0:NotBefore"] = "2026-02-01T00:00:00Z";
            c["Webhooks:GitHub:Secrets:0:NotAfter"] = "2026-01-01T00:00:00Z";
        }));
        Assert.Contains("Webhooks:GitHub:Secrets:0", ex.Message, StringComparison.Ordinal);

        ex = await Assert.ThrowsAnyAsync<Exception>(() => ReceiverHost.StartAsync(configuration: c => c["Webhooks:Stripe:Secrets:0:NotAfter"] = "2026-01-01T00:00:00Z"));
        Assert.Contains("Webhooks:Stripe:Secrets:0:Value", ex.Message, StringComparison.Ordinal);

        ex = await Assert.ThrowsAnyAsync<Exception>(() => ReceiverHost.StartAsync(configuration: c =>
        {
            c["Webhooks:GitHub:Secrets:0:Value"] = "next";
            c["Webhooks:GitHub:Secrets:0:NotAfter"] = "tomorrow";
        }));
        Assert.Contains("Webhooks:GitHub:Secrets:0:NotAfter", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("next", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretsFromConfiguration_StringsAndObjectsWithWindows_OnlyActiveOnesVerify()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(configuration: c =>
        {
            c.Remove("Webhooks:GitHub:Secret");
            c["Webhooks:GitHub:Secrets:0:Value"] = "retired";
            c["Webhooks:GitHub:Secrets:0:NotAfter"] = "2020-01-01T00:00:00Z";
            c["Webhooks:GitHub:Secrets:1:Value"] = "current";
            c["Webhooks:GitHub:Secrets:1:NotBefore"] = "2020-01-01T00:00:00Z";
            c["Webhooks:GitHub:Secrets:2"] = "plain";
            c["Webhooks:GitHub:Secrets:3:Value"] = "not-yet";
            c["Webhooks:GitHub:Secrets:3:NotBefore"] = "2999-01-01T00:00:00+00:00";
        });

        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub("current", "push", "{\"s\":1}", "w1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.GitHub("plain", "push", "{\"s\":2}", "w2"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(WebhookRequests.GitHub("retired", "push", "{\"s\":3}", "w3"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(WebhookRequests.GitHub("not-yet", "push", "{\"s\":4}", "w4"))).StatusCode);
    }

    [Fact]
    public async Task StandardWebhooksSource_FromConfigurationAlone_Receives()
    {
        const string PartnerSecret = "whsec_c2VjcmV0LWZvci10aGUtcGFydG5lci1zb3VyY2U=";
        await using ReceiverHost host = await ReceiverHost.StartAsync(configuration: c => c["Webhooks:Sources:Partner-2:Secret"] = PartnerSecret);
        string body = "{\"type\":\"invoice.paid\",\"data\":{}}";
        (int status, System.Text.Json.JsonElement answer) = await ReceiverHost.ReadAsync(
            await host.Client.SendAsync(WebhookRequests.StandardWebhooks(PartnerSecret, "/webhooks/partner-2", body, "msg_1")));
        Assert.Equal(202, status);
        Assert.Equal("partner-2:msg_1", answer.GetProperty("id").GetString());
        await host.WaitForStatusAsync("partner-2:msg_1", Webhooks.WebhookEventStatus.Processed);
        Assert.Equal(1, host.Calls.For("partner-2:msg_1"));

        // The configured "acme" source of the test host is not added in code either.
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.SendAsync(WebhookRequests.StandardWebhooks(ReceiverHost.AcmeSecret, "/webhooks/acme", body, "msg_1"))).StatusCode);
    }

    [Fact]
    public async Task StandardWebhooksSource_InCodeAndInConfiguration_CodeSettingsApplyAfterConfiguration()
    {
        await using ReceiverHost host = await ReceiverHost.StartAsync(s => s.AddWebhookReceiver().AddStandardWebhooks("acme", o => o.MaxBodyBytes = 64));
        string body = "{\"type\":\"t\",\"pad\":\"" + new string('x', 100) + "\"}";
        (int status, _) = await ReceiverHost.ReadAsync(await host.Client.SendAsync(WebhookRequests.StandardWebhooks(ReceiverHost.AcmeSecret, "/webhooks/acme", body, "big")));
        Assert.Equal(413, status);
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
            c =>
            {
                c["Webhooks:SecretCacheDuration"] = "00:00:00";
                c["Webhooks:SecretFailureCacheDuration"] = "00:00:00";
            });
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

            string secret = source.Provider switch
            {
                GitHubProvider => ReceiverHost.GitHubSecret,
                StripeProvider => ReceiverHost.StripeSecret,
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
            return source.Provider switch
            {
                GitHubProvider => [new WebhookSecret("from-vault")],
                StripeProvider => [new WebhookSecret(ReceiverHost.StripeSecret)],
                _ => [new WebhookSecret(ReceiverHost.AcmeSecret)],
            };
        }
    }
}
