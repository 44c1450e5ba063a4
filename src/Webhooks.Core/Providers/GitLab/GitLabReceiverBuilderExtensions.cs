using System;
using Webhooks.Providers;
using Webhooks.Sources;

namespace Webhooks;

/// <summary>Adds GitLab sources to a receiver.</summary>
public static class GitLabReceiverBuilderExtensions
{
    /// <summary>Receives GitLab deliveries at <c>POST {prefix}/gitlab</c>, with settings from <c>Webhooks:GitLab</c> (<c>Secret</c>: the webhook's secret token, or <c>Secrets</c>; <c>MaxBodyBytes</c>, <c>DeduplicateByBody</c>).</summary>
    /// <param name="builder">The receiver builder.</param>
    /// <param name="configure">Changes the options after configuration is read; optional.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IWebhookReceiverBuilder AddGitLab(this IWebhookReceiverBuilder builder, Action<WebhookSourceOptions>? configure = null) =>
        builder.AddSource(new GitLabProvider(), configure);
}
