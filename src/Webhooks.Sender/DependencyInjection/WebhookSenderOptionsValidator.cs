using System;
using System.Collections.Generic;
using Microsoft.Extensions.Options;

namespace Webhooks.Sender.DependencyInjection;

/// <summary>Checks <see cref="WebhookSenderOptions"/> at start-up, naming each setting that is out of range by its configuration key.</summary>
internal sealed class WebhookSenderOptionsValidator : IValidateOptions<WebhookSenderOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookSenderOptions options)
    {
        var failures = new List<string>();
        Check(failures, options.AttemptTimeout >= TimeSpan.FromSeconds(1) && options.AttemptTimeout <= TimeSpan.FromMinutes(5), "AttemptTimeout", "from 1 second to 5 minutes");
        Check(failures, options.RetrySchedule.Count is >= 1 and <= 50, "RetrySchedule", "1 to 50 delays");
        foreach (TimeSpan delay in options.RetrySchedule)
        {
            Check(failures, delay >= TimeSpan.Zero && delay <= TimeSpan.FromDays(7), "RetrySchedule", "delays from 0 to 7 days");
        }

        Check(failures, options.RetryJitter is >= 0 and <= 0.5, "RetryJitter", "from 0 to 0.5");
        Check(failures, options.MaxRetryAfter >= TimeSpan.FromSeconds(1) && options.MaxRetryAfter <= TimeSpan.FromDays(1), "MaxRetryAfter", "from 1 second to 1 day");
        Check(failures, options.ResponseSnippetBytes is >= 0 and <= 65536, "ResponseSnippetBytes", "from 0 to 65536");
        Check(failures, options.Retention >= TimeSpan.FromHours(1) && options.Retention <= TimeSpan.FromDays(365), "Retention", "from 1 hour to 365 days");
        Check(failures, options.DisableAfterFailingFor >= TimeSpan.FromHours(1) && options.DisableAfterFailingFor <= TimeSpan.FromDays(90), "DisableAfterFailingFor", "from 1 hour to 90 days");
        Check(failures, options.Concurrency is >= 1 and <= 1024, "Concurrency", "from 1 to 1024");
        Check(failures, options.PollInterval >= TimeSpan.FromMilliseconds(10) && options.PollInterval <= TimeSpan.FromMinutes(1), "PollInterval", "from 10 milliseconds to 1 minute");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, bool valid, string key, string range)
    {
        string message = $"Webhooks:Sender:{key} must be {range}.";
        if (!valid && !failures.Contains(message))
        {
            failures.Add(message);
        }
    }
}
