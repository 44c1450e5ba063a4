using System;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Webhooks;

/// <summary>Rules that span more than one option.</summary>
internal sealed class WebhookReceiverOptionsCrossValidator : IValidateOptions<WebhookReceiverOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookReceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        Check(builder, "Webhooks:ProcessedRetention", options.ProcessedRetention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        if (options.MaxBodyBytes is <= 0 or > Sources.WebhookSourceOptions.MaxBodyBytesLimit)
        {
            builder.AddError(string.Create(CultureInfo.InvariantCulture, $"Webhooks:MaxBodyBytes is {options.MaxBodyBytes}; it must be between 1 and {Sources.WebhookSourceOptions.MaxBodyBytesLimit} (256 MiB)."));
        }

        Check(builder, "Webhooks:StoreTimeout", options.StoreTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5));
        Check(builder, "Webhooks:RetryAfter", options.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Check(builder, "Webhooks:SecretCacheDuration", options.SecretCacheDuration, TimeSpan.Zero, TimeSpan.FromDays(1));
        Check(builder, "Webhooks:SecretFailureCacheDuration", options.SecretFailureCacheDuration, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        Check(builder, "Webhooks:SecretLookupTimeout", options.SecretLookupTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Check(builder, "Webhooks:Retry:BaseDelay", options.Retry.BaseDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));
        Check(builder, "Webhooks:Retry:MaxDelay", options.Retry.MaxDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(7));
        Check(builder, "Webhooks:Processing:LeaseDuration", options.Processing.LeaseDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Check(builder, "Webhooks:Processing:HandlerTimeout", options.Processing.HandlerTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Check(builder, "Webhooks:Processing:PollInterval", options.Processing.PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        Check(builder, "Webhooks:Processing:MaxStoreBackoff", options.Processing.MaxStoreBackoff, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        Check(builder, "Webhooks:Processing:ShutdownWriteBackTimeout", options.Processing.ShutdownWriteBackTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        if (options.Retry.MaxDelay < options.Retry.BaseDelay)
        {
            builder.AddError("Webhooks:Retry:MaxDelay must not be shorter than Webhooks:Retry:BaseDelay.");
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
