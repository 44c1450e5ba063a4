using System;

namespace Webhooks.Sources;

/// <summary>A configured source: its route name, scheme, and the configuration key its settings are bound from.</summary>
/// <param name="Name">The name in the route (<c>POST /webhooks/{name}</c>) and in event ids.</param>
/// <param name="Kind">The signature scheme.</param>
/// <param name="ConfigurationKey">
/// The source's configuration section within the receiver's (<c>Webhooks</c> by default): <c>GitHub</c>, <c>Stripe</c>,
/// <c>Sources:&lt;name&gt;</c>.
/// </param>
public sealed record WebhookSource(string Name, WebhookSourceKind Kind, string ConfigurationKey)
{
    /// <summary>GitHub's default body cap: 25 MiB, the largest payload GitHub sends.</summary>
    public const long GitHubDefaultMaxBodyBytes = 25L * 1024 * 1024;

    /// <summary>The default body cap of every other source: 1 MiB.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    internal static WebhookSource GitHub { get; } = new("github", WebhookSourceKind.GitHub, "GitHub");

    internal static WebhookSource Stripe { get; } = new("stripe", WebhookSourceKind.Stripe, "Stripe");

    internal static WebhookSource StandardWebhooks(string name) =>
        new(name.ToLowerInvariant(), WebhookSourceKind.StandardWebhooks, WebhookSourceRegistry.StandardWebhooksSection + ":" + name);

    /// <summary>Gets the body limit of this source when neither it nor the receiver sets <c>MaxBodyBytes</c>: 25 MiB for GitHub, 1 MiB for others.</summary>
    public long DefaultBodyLimit => Kind == WebhookSourceKind.GitHub ? GitHubDefaultMaxBodyBytes : DefaultMaxBodyBytes;

    internal static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                throw new ArgumentException($"The source name '{name}' may only hold ASCII letters, digits, '-' and '_' (it is a route segment and an event id prefix).", nameof(name));
            }
        }
    }
}
