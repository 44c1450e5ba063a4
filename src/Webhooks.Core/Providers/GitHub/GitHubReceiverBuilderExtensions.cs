using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds GitHub sources to a receiver.</summary>
public static class GitHubReceiverBuilderExtensions
{
    /// <summary>Receives GitHub deliveries at <c>POST {prefix}/github</c>, with settings from <c>Webhooks:GitHub</c> (<c>Secret</c> or <c>Secrets</c>, <c>MaxBodyBytes</c>, <c>DeduplicateByBody</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddGitHub(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new GitHubProvider(), configure);
}
