using System;
using System.Collections.Generic;

namespace Webhooks.AspNetCore.Sources;

/// <summary>The configured sources, by route name (case-insensitive).</summary>
internal sealed class WebhookSourceRegistry
{
    private readonly Dictionary<string, WebhookSource> _sources = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<WebhookSource> All => _sources.Values;

    public void Add(WebhookSource source)
    {
        if (_sources.TryGetValue(source.Name, out WebhookSource? existing) && existing.Kind != source.Kind)
        {
            throw new InvalidOperationException($"The webhook source '{source.Name}' is already registered as {existing.Kind}.");
        }

        _sources[source.Name] = source;
    }

    public bool TryGet(string name, out WebhookSource source) => _sources.TryGetValue(name, out source!);
}
