using System;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Webhooks;

/// <summary>Rules that span more than one option, and ranges; each message names the key in the receiver's section.</summary>
internal sealed class WebhookReceiverOptionsCrossValidator(IServiceProvider services) : IValidateOptions<WebhookReceiverOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookReceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string path = WebhookReceiverOptions.PathOf(WebhookReceiverOptions.GetConfiguration(services));
        var builder = new ValidateOptionsResultBuilder();
        Check(builder, path + ":ProcessedRetention", options.ProcessedRetention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        if (options.MaxBodyBytes is <= 0 or > Sources.WebhookSourceOptions.MaxBodyBytesLimit)
        {
            builder.AddError(string.Create(CultureInfo.InvariantCulture, $"{path}:MaxBodyBytes is {options.MaxBodyBytes}; it must be between 1 and {Sources.WebhookSourceOptions.MaxBodyBytesLimit} (256 MiB)."));
        }

        Check(builder, path + ":StoreTimeout", options.StoreTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5));
        Check(builder, path + ":RetryAfter", options.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Check(builder, path + ":SecretCacheDuration", options.SecretCacheDuration, TimeSpan.Zero, TimeSpan.FromDays(1));
        Check(builder, path + ":SecretFailureCacheDuration", options.SecretFailureCacheDuration, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        Check(builder, path + ":SecretLookupTimeout", options.SecretLookupTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Check(builder, path + ":Retry:BaseDelay", options.Retry.BaseDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));
        Check(builder, path + ":Retry:MaxDelay", options.Retry.MaxDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(7));
        Check(builder, path + ":Processing:LeaseDuration", options.Processing.LeaseDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Check(builder, path + ":Processing:HandlerTimeout", options.Processing.HandlerTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Check(builder, path + ":Processing:PollInterval", options.Processing.PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        Check(builder, path + ":Processing:MaxStoreBackoff", options.Processing.MaxStoreBackoff, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        Check(builder, path + ":Processing:ShutdownWriteBackTimeout", options.Processing.ShutdownWriteBackTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        if (options.Retry.MaxDelay < options.Retry.BaseDelay)
        {
            builder.AddError(path + ":Retry:MaxDelay must not be shorter than " + path + ":Retry:BaseDelay.");
        }

        return builder.Build();
    }

    private static void Check(ValidateOptionsResultBuilder builder, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            builder.AddError(string.Create(CultureInfo.InvariantCulture, $"{key} is {value}; it must be between {min} and {max}."));
        }
    }
}
