using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Webhooks.Redis;

/// <summary>
/// The start-up checks of Redis settings that the receiver's and the sender's stores share, each message naming its key under
/// <c>section</c>. Shared source: compiled into each Redis package.
/// </summary>
internal static class RedisOptionsChecks
{
    /// <summary>What is wrong with a key prefix (empty, or holding a brace: the keys' hash tags follow it), or <see langword="null"/>.</summary>
    public static string? KeyPrefixError(string? prefix, string section) =>
        string.IsNullOrEmpty(prefix) || prefix.AsSpan().IndexOfAny('{', '}') >= 0
            ? $"{section}:KeyPrefix must not be empty nor hold '{{' or '}}' (the keys' hash tags follow it)."
            : null;

    /// <summary>Adds an error when no connection is configured (nor registered), or when the configuration string cannot be read.</summary>
    public static void CheckConnection(ValidateOptionsResultBuilder errors, WebhookRedisOptions options, IServiceProvider services, string section)
    {
        if (options.Configuration is null && options.ConfigurationOptions is null && options.ConnectionMultiplexerFactory is null
            && services.GetService<IConnectionMultiplexer>() is null)
        {
            errors.AddError($"No Redis connection is configured: set {section}:Configuration (for example localhost:6379), or register an IConnectionMultiplexer.");
        }
        else if (options.Configuration is { } configuration && options.ConfigurationOptions is null)
        {
            try
            {
                ConfigurationOptions.Parse(configuration);
            }
            catch (ArgumentException ex)
            {
                errors.AddError($"{section}:Configuration is not a valid StackExchange.Redis configuration: {ex.Message}");
            }
        }
    }
}
