using System;

namespace Webhooks.AspNetCore.Sources;

/// <summary>Settings of the receiving endpoints shared by all sources, bound from the <c>Webhooks</c> section.</summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>Gets or sets the body cap of every source that does not set its own <c>MaxBodyBytes</c>.</summary>
    /// <value><see langword="null"/> (the default) for each scheme's default: 25 MiB for GitHub, 1 MiB for others (<c>Webhooks:MaxBodyBytes</c>).</value>
    public long? MaxBodyBytes { get; set; }

    /// <summary>Gets or sets how long saving a delivery may take before the sender is answered 503 to retry later.</summary>
    /// <value>5 seconds by default (<c>Webhooks:StoreTimeout</c>).</value>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the <c>Retry-After</c> sent with 503 when the store does not say.</summary>
    /// <value>5 seconds by default (<c>Webhooks:RetryAfter</c>).</value>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long secrets from a custom <see cref="IWebhookSecretProvider"/> are cached; options-based secrets are re-read when the options change.</summary>
    /// <value>5 minutes by default (<c>Webhooks:SecretCacheDuration</c>).</value>
    public TimeSpan SecretCacheDuration { get; set; } = TimeSpan.FromMinutes(5);
}
