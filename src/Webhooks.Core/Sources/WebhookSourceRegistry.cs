using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Webhooks.Providers;

namespace Webhooks.Sources;

/// <summary>
/// The configured sources, by route name (case-insensitive): those added in code, and a Standard Webhooks source for every other
/// name configured under <c>Webhooks:Sources</c>.
/// </summary>
internal sealed class WebhookSourceRegistry
{
    /// <summary>The section, within the receiver's, of named sources; a child no code added is a Standard Webhooks source.</summary>
    public const string NamedSection = "Sources";

    private readonly Dictionary<string, WebhookSource> _sources = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The path of the receiver's configuration section, which source keys are relative to.</summary>
    private readonly string _path;

    /// <param name="registrations">The sources added in code.</param>
    /// <param name="configuration">The receiver's configuration section, or <see langword="null"/> in a host without configuration.</param>
    public WebhookSourceRegistry(WebhookSourceRegistrations registrations, IConfiguration? configuration)
    {
        _path = WebhookReceiverOptions.PathOf(configuration);
        foreach (WebhookSource source in registrations.Sources)
        {
            Add(source);
        }

        if (configuration is null)
        {
            return;
        }

        foreach (IConfigurationSection section in configuration.GetSection(NamedSection).GetChildren())
        {
            if (_sources.TryGetValue(section.Key, out WebhookSource? existing))
            {
                if (!string.Equals(existing.ConfigurationKey, NamedSection + ":" + section.Key, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"The webhook source '{section.Key}' configured under {_path}:{NamedSection} clashes with the {existing.Provider.Name} source of that name, which reads {_path}:{existing.ConfigurationKey}; rename it.");
                }

                continue;
            }

            try
            {
                WebhookSource.ValidateName(section.Key);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"{section.Path} is not a usable source name: {ex.Message}", ex);
            }

            Add(WebhookSource.Named(section.Key, new StandardWebhooksProvider()));
        }
    }

    public IEnumerable<WebhookSource> All => _sources.Values;

    public int Count => _sources.Count;

    public bool TryGet(string name, out WebhookSource source) => _sources.TryGetValue(name, out source!);

    private void Add(WebhookSource source)
    {
        if (_sources.TryGetValue(source.Name, out WebhookSource? existing) && !existing.SameAs(source))
        {
            throw new InvalidOperationException($"The webhook source '{source.Name}' is already added as a {existing.Provider.Name} source reading {existing.ConfigurationKey}.");
        }

        _sources[source.Name] = source;
        WebhookHeaderInterner.AddPerDeliveryHeaders(source.Provider.PerDeliveryHeaders);
    }

    /// <summary>The full configuration key of one of a source's settings, for messages: <c>Webhooks:GitHub:Secret</c>.</summary>
    public string KeyOf(WebhookSource source, string setting) => _path + ":" + source.ConfigurationKey + ":" + setting;
}
