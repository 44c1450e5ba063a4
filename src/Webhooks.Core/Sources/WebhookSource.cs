using System;
using Webhooks.Providers;

namespace Webhooks.Sources;

/// <summary>A configured source: its route name, its sender's scheme, and the configuration key its settings are bound from.</summary>
/// <param name="Name">The name in the route (<c>POST /webhooks/{name}</c>) and in event ids.</param>
/// <param name="Provider">The sender's signature scheme.</param>
/// <param name="ConfigurationKey">
/// The source's configuration section within the receiver's (<c>Webhooks</c> by default): the provider's name for a provider's
/// own source (<c>GitHub</c>, <c>Stripe</c>, …), <c>Sources:&lt;name&gt;</c> for a named one.
/// </param>
public sealed record WebhookSource(string Name, WebhookProvider Provider, string ConfigurationKey)
{
    /// <summary>Gets the body limit of this source when neither it nor the receiver sets <c>MaxBodyBytes</c>: the provider's.</summary>
    public long DefaultBodyLimit => Provider.DefaultBodyLimit;

    /// <summary>A provider's own source: named after the provider in lower case, with settings under its name.</summary>
    internal static WebhookSource Of(WebhookProvider provider) => new(provider.Name.ToLowerInvariant(), provider, provider.Name);

    /// <summary>A named source, with settings under <c>Sources:&lt;name&gt;</c>.</summary>
    internal static WebhookSource Named(string name, WebhookProvider provider) =>
        new(name.ToLowerInvariant(), provider, WebhookSourceRegistry.NamedSection + ":" + name);

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

    /// <summary>Tells whether two registrations are the same source: the same scheme read from the same section.</summary>
    internal bool SameAs(WebhookSource other) =>
        Provider.GetType() == other.Provider.GetType() && string.Equals(ConfigurationKey, other.ConfigurationKey, StringComparison.OrdinalIgnoreCase);
}
