using System;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Webhooks.Signatures;

namespace Webhooks.Sources;

/// <summary>
/// Reads a source's settings from its configuration section (<c>Webhooks:GitHub</c>, <c>Webhooks:Stripe</c>,
/// <c>Webhooks:Sources:name</c>). Written out by hand rather than bound, because <c>Secrets</c> entries may be strings or objects with
/// a validity window, and every bad value must name its key.
/// </summary>
internal sealed class WebhookSourceConfiguration(IServiceProvider services) : IConfigureNamedOptions<WebhookSourceOptions>
{
    public void Configure(WebhookSourceOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, WebhookSourceOptions options)
    {
        if (name is null
            || WebhookReceiverOptions.GetConfiguration(services) is not { } configuration
            || !services.GetRequiredService<WebhookSourceRegistry>().TryGet(name, out WebhookSource source))
        {
            return;
        }

        IConfigurationSection section = configuration.GetSection(source.ConfigurationKey);
        if (section["Secret"] is { } secret)
        {
            options.Secret = secret;
        }

        foreach (IConfigurationSection entry in section.GetSection("Secrets").GetChildren())
        {
            if (ReadSecret(entry) is { } parsed)
            {
                options.Secrets.Add(parsed);
            }
        }

        if (section["MaxBodyBytes"] is { } maxBodyBytes)
        {
            options.MaxBodyBytes = long.TryParse(maxBodyBytes, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes)
                ? bytes
                : throw Invalid(section, "MaxBodyBytes", "a whole number of bytes");
        }

        if (section["DeduplicateByBody"] is { } deduplicate)
        {
            options.DeduplicateByBody = bool.TryParse(deduplicate, out bool value) ? value : throw Invalid(section, "DeduplicateByBody", "true or false");
        }

        if (section["PublicUrl"] is { Length: > 0 } publicUrl)
        {
            options.PublicUrl = publicUrl;
        }

        if (section["Tolerance"] is { } tolerance)
        {
            options.Tolerance = ReadTimeSpan(section, "Tolerance", tolerance);
        }

        if (section["FutureTolerance"] is { } futureTolerance)
        {
            options.FutureTolerance = ReadTimeSpan(section, "FutureTolerance", futureTolerance);
        }
    }

    /// <summary>A string entry is a secret; an object entry has <c>Value</c> and optional <c>NotBefore</c> / <c>NotAfter</c>.</summary>
    private static WebhookSecret? ReadSecret(IConfigurationSection entry)
    {
        string? value = entry.Value ?? entry["Value"];
        if (string.IsNullOrWhiteSpace(value))
        {
            // An empty entry (a placeholder left in appsettings.json) adds nothing; a window without a value is a mistake.
            return entry["NotBefore"] is null && entry["NotAfter"] is null
                ? null
                : throw new InvalidOperationException($"{entry.Path}:Value is missing: a secret with a validity window needs its value.");
        }

        DateTimeOffset? notBefore = ReadInstant(entry, "NotBefore");
        DateTimeOffset? notAfter = ReadInstant(entry, "NotAfter");
        if (notBefore is { } from && notAfter is { } to && to <= from)
        {
            throw new InvalidOperationException($"{entry.Path}: NotAfter must be later than NotBefore.");
        }

        return new WebhookSecret(value, notBefore, notAfter);
    }

    private static DateTimeOffset? ReadInstant(IConfigurationSection entry, string key)
    {
        string? text = entry[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset instant)
            ? instant
            : throw Invalid(entry, key, "a date and time such as 2026-01-31T00:00:00Z");
    }

    private static TimeSpan ReadTimeSpan(IConfigurationSection section, string key, string text) =>
        TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan value) ? value : throw Invalid(section, key, "a time span such as 00:05:00");

    private static InvalidOperationException Invalid(IConfigurationSection section, string key, string expected) =>
        new($"{section.Path}:{key} is not valid: expected {expected}.");
}
