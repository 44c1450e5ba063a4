using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;

namespace Webhooks.Sources;

/// <summary>
/// The configured sources, by route name (case-insensitive): those added in code, and a Standard Webhooks source for every name
/// configured under <c>Webhooks:Sources</c>.
/// </summary>
internal sealed class WebhookSourceRegistry
{
    /// <summary>The section, within the receiver's, whose children are Standard Webhooks sources.</summary>
    public const string StandardWebhooksSection = "Sources";

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

        foreach (IConfigurationSection section in configuration.GetSection(StandardWebhooksSection).GetChildren())
        {
            if (_sources.TryGetValue(section.Key, out WebhookSource? existing))
            {
                if (existing.Kind != WebhookSourceKind.StandardWebhooks)
                {
                    throw new InvalidOperationException(
                        $"The webhook source '{section.Key}' configured under {_path}:{StandardWebhooksSection} clashes with the {existing.Kind} source of that name; rename it.");
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

            Add(WebhookSource.StandardWebhooks(section.Key));
        }
    }

    public IEnumerable<WebhookSource> All => _sources.Values;

    public int Count => _sources.Count;

    public bool TryGet(string name, out WebhookSource source) => _sources.TryGetValue(name, out source!);

    private void Add(WebhookSource source)
    {
        if (_sources.TryGetValue(source.Name, out WebhookSource? existing) && existing.Kind != source.Kind)
        {
            throw new InvalidOperationException($"The webhook source '{source.Name}' is already registered as {existing.Kind}.");
        }

        _sources[source.Name] = source;
    }

    /// <summary>The full configuration key of one of a source's settings, for messages: <c>Webhooks:GitHub:Secret</c>.</summary>
    public string KeyOf(WebhookSource source, string setting) => _path + ":" + source.ConfigurationKey + ":" + setting;
}
