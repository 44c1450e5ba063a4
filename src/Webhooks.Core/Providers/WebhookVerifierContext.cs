using System;
using System.Collections.Generic;
using Webhooks.Signatures;
using Webhooks.Sources;

namespace Webhooks.Providers;

/// <summary>What a <see cref="WebhookProvider"/> prepares a source's verifier from.</summary>
public sealed class WebhookVerifierContext
{
    /// <summary>Creates a context; the receiver makes one per source and secret change, tests may make their own.</summary>
    /// <param name="source">The source the verifier is for.</param>
    /// <param name="secrets">Its secrets (or public keys), at least one, each optionally limited to a validity window.</param>
    /// <param name="options">Its settings.</param>
    /// <param name="timeProvider">The clock for timestamps and validity windows.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public WebhookVerifierContext(WebhookSource source, IReadOnlyList<WebhookSecret> secrets, WebhookSourceOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Source = source;
        Secrets = secrets;
        Options = options;
        TimeProvider = timeProvider;
    }

    /// <summary>Gets the source.</summary>
    public WebhookSource Source { get; }

    /// <summary>Gets the source's secrets: shared secrets for HMAC schemes, public keys for signature schemes.</summary>
    public IReadOnlyList<WebhookSecret> Secrets { get; }

    /// <summary>Gets the source's settings.</summary>
    public WebhookSourceOptions Options { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Gets the timestamp window: <see cref="WebhookSourceOptions.Tolerance"/> and <see cref="WebhookSourceOptions.FutureTolerance"/>
    /// where set, else the provider's <see cref="WebhookProvider.DefaultTolerance"/> on both sides.
    /// </summary>
    public TimestampTolerance Tolerance
    {
        get
        {
            TimeSpan past = Options.ToleranceSet ?? Source.Provider.DefaultTolerance;
            return new TimestampTolerance(past, Options.FutureTolerance ?? past);
        }
    }
}
