using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Webhooks.Processing;

namespace Webhooks;

/// <summary>Options of the receiving pipeline, bound from the <c>Webhooks</c> configuration section and validated at start-up.</summary>
public sealed class WebhookReceiverOptions
{
    /// <summary>The configuration section the options are bound from, unless <c>AddWebhookReceiver(IConfigurationSection)</c> names another.</summary>
    public const string SectionName = "Webhooks";

    /// <summary>The service key of the section given to <c>AddWebhookReceiver(IConfigurationSection)</c>.</summary>
    internal static readonly object ConfigurationServiceKey = new();

    /// <summary>The default of <see cref="ProcessedRetention"/>: 72 hours, the span over which GitHub and Stripe may deliver the same event again.</summary>
    public static readonly TimeSpan DefaultProcessedRetention = TimeSpan.FromHours(72);

    /// <summary>Gets or sets how long processed event ids are remembered, so that a redelivery inside that span is recognised as a duplicate.</summary>
    /// <value>1 minute to 365 days; 72 hours by default (<c>Webhooks:ProcessedRetention</c>).</value>
    public TimeSpan ProcessedRetention { get; set; } = DefaultProcessedRetention;

    /// <summary>Gets or sets the body limit of every source that does not set its own <c>MaxBodyBytes</c>.</summary>
    /// <value>
    /// <see langword="null"/> (the default) for each scheme's default: 25 MiB for GitHub, 1 MiB for others; 1 byte to 256 MiB
    /// (<c>Webhooks:MaxBodyBytes</c>).
    /// </value>
    public long? MaxBodyBytes { get; set; }

    /// <summary>Gets or sets how long saving a delivery may take before the sender is answered 503 to retry later.</summary>
    /// <value>1 millisecond to 5 minutes; 5 seconds by default (<c>Webhooks:StoreTimeout</c>).</value>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the <c>Retry-After</c> sent with 503 when the store does not say.</summary>
    /// <value>1 second to 1 hour; 5 seconds by default (<c>Webhooks:RetryAfter</c>).</value>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long secrets from a custom <c>IWebhookSecretProvider</c> are cached; options-based secrets are re-read when configuration reloads.</summary>
    /// <value>Zero to 1 day; 5 minutes by default (<c>Webhooks:SecretCacheDuration</c>).</value>
    public TimeSpan SecretCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how long a failed secret lookup is remembered: meanwhile deliveries to that source are answered 503
    /// <c>secrets_unavailable</c> at once, without asking the provider again.
    /// </summary>
    /// <value>Zero to 10 minutes; 5 seconds by default (<c>Webhooks:SecretFailureCacheDuration</c>).</value>
    public TimeSpan SecretFailureCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long one secret lookup may take before it counts as failed (its token is cancelled).</summary>
    /// <value>100 milliseconds to 5 minutes; 10 seconds by default (<c>Webhooks:SecretLookupTimeout</c>).</value>
    public TimeSpan SecretLookupTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the retry schedule (<c>Webhooks:Retry</c>).</summary>
    [ValidateObjectMembers]
    public RetryOptions Retry { get; } = new();

    /// <summary>Gets the dispatcher settings (<c>Webhooks:Processing</c>).</summary>
    [ValidateObjectMembers]
    public WebhookWorkQueueOptions Processing { get; } = new();

    /// <summary>
    /// Gets the configuration the receiver is bound from: the section given to <c>AddWebhookReceiver(IConfigurationSection)</c>,
    /// or else the application's <c>Webhooks</c> section. A store or source in another package reads its own sub-section from
    /// it (the Redis store reads <c>Redis</c>), so that one section configures the whole receiver.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The section, or <see langword="null"/> in a host without configuration.</returns>
    public static IConfiguration? GetConfiguration(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetKeyedService<IConfiguration>(ConfigurationServiceKey)
            ?? services.GetService<IConfiguration>()?.GetSection(SectionName);
    }

    /// <summary>The path of a configuration the receiver is bound from, to name keys in messages (<c>Webhooks</c> by default).</summary>
    internal static string PathOf(IConfiguration? configuration) => (configuration as IConfigurationSection)?.Path ?? SectionName;

    /// <summary>Gets the limits of the in-memory stores (<c>Webhooks:InMemory</c>).</summary>
    [ValidateObjectMembers]
    public InMemoryStoreOptions InMemory { get; } = new();
}
