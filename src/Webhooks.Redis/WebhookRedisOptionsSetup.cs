using System;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Webhooks.Redis;

/// <summary>
/// Reads <c>Webhooks:Redis</c> (<c>Configuration</c>, <c>KeyPrefix</c>, <c>Partitions</c>) and checks the result at start-up, naming
/// the key of any bad value.
/// </summary>
internal sealed class WebhookRedisOptionsSetup(IServiceProvider services) : IConfigureOptions<WebhookRedisOptions>, IValidateOptions<WebhookRedisOptions>
{
    /// <summary>The section within the receiver's (<see cref="WebhookReceiverOptions.GetConfiguration"/>).</summary>
    public const string SubsectionName = "Redis";

    /// <summary>The full path of the section, to name keys in messages: <c>Webhooks:Redis</c> by default.</summary>
    private string SectionName => (WebhookReceiverOptions.GetConfiguration(services) is IConfigurationSection receiver ? receiver.Path : WebhookReceiverOptions.SectionName) + ":" + SubsectionName;

    public void Configure(WebhookRedisOptions options)
    {
        if (WebhookReceiverOptions.GetConfiguration(services)?.GetSection(SubsectionName) is not { } section)
        {
            return;
        }

        if (section["Configuration"] is { Length: > 0 } configuration)
        {
            options.Configuration = configuration;
        }

        if (section["KeyPrefix"] is { } prefix)
        {
            options.KeyPrefix = prefix;
        }

        if (section["Partitions"] is { } partitions)
        {
            options.Partitions = int.TryParse(partitions, NumberStyles.None, CultureInfo.InvariantCulture, out int count)
                ? count
                : throw new InvalidOperationException($"{SectionName}:Partitions is not valid: expected a whole number from 1 to {WebhookRedisOptions.MaxPartitions}.");
        }
    }

    /// <summary>What is wrong with the key layout settings (prefix and partitions), or <see langword="null"/>.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="section">The configuration section to name in the message.</param>
    public static string? LayoutError(WebhookRedisOptions options, string section)
    {
        if (options.Partitions is < 1 or > WebhookRedisOptions.MaxPartitions)
        {
            return $"{section}:Partitions is {options.Partitions}; it must be between 1 and {WebhookRedisOptions.MaxPartitions}.";
        }

        return RedisOptionsChecks.KeyPrefixError(options.KeyPrefix, section);
    }

    /// <summary>The layout settings alone, checked, for a store made outside dependency injection.</summary>
    public static WebhookRedisOptions LayoutOf(WebhookRedisOptions options) =>
        LayoutError(options, WebhookReceiverOptions.SectionName + ":" + SubsectionName) is { } error
            ? throw new ArgumentException(error, nameof(options))
            : new WebhookRedisOptions { KeyPrefix = options.KeyPrefix, Partitions = options.Partitions };

    public ValidateOptionsResult Validate(string? name, WebhookRedisOptions options)
    {
        // The receiver's options are the unnamed ones; named ones belong to others (the sender's).
        if (!string.Equals(name, Options.DefaultName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new ValidateOptionsResultBuilder();
        if (LayoutError(options, SectionName) is { } layout)
        {
            errors.AddError(layout);
        }

        RedisOptionsChecks.CheckConnection(errors, options, services, SectionName);
        return errors.Build();
    }
}
