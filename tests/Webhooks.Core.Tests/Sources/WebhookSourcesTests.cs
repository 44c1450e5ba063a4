using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Primitives;
using Webhooks.Providers;
using Webhooks.Signatures;
using Webhooks.Sources;

namespace Webhooks.Tests.Sources;

/// <summary>The sources as a receiving endpoint of the user's own asks for them: find by name, verify with the current secrets.</summary>
public sealed class WebhookSourcesTests
{
    [Fact]
    public async Task FoundByName_IgnoringCase_AndVerifiedWithTheConfiguredSecret()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:GitHub:Secret"] = "it-is-a-secret",
            ["Webhooks:Sources:acme:Secret"] = "whsec_" + Convert.ToBase64String(new byte[24]),
        });
        builder.Services.AddWebhookReceiver().AddGitHub();
        using IHost host = builder.Build();
        WebhookSources sources = host.Services.GetRequiredService<WebhookSources>();

        Assert.Equal(2, sources.Count);
        Assert.True(sources.TryGet("GitHub", out WebhookSource? github));
        Assert.Equal(GitHubProvider.MaxBodyBytes, github.DefaultBodyLimit);
        Assert.True(sources.TryGet("acme", out WebhookSource? acme));
        Assert.Equal(WebhookProvider.DefaultMaxBodyBytes, acme.DefaultBodyLimit);
        Assert.False(sources.TryGet("stripe", out _));
        Assert.Throws<ArgumentNullException>("name", () => sources.TryGet(null!, out _));

        WebhookSourceVerifier verifier = await sources.GetVerifierAsync(github);
        byte[] body = """{"ref":"refs/heads/main"}"""u8.ToArray();
        Assert.True(verifier.HasSecrets);
        Assert.Equal(SignatureVerificationResult.Valid, verifier.Verify(Request(body, new GitHubSigner("it-is-a-secret").Sign(body))));
        Assert.Equal(SignatureVerificationResult.Mismatch, verifier.Verify(Request(body, new GitHubSigner("another").Sign(body))));
        Assert.Equal(SignatureVerificationResult.Missing, verifier.Verify(new WebhookRequest(body, new Dictionary<string, StringValues>())));
    }

    private static WebhookRequest Request(byte[] body, string signature) =>
        new(body, new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase) { ["X-Hub-Signature-256"] = signature });
}
