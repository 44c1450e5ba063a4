using System;

namespace Webhooks.Storage;

/// <summary>
/// A store could not do what was asked: unreachable, too slow, or at its capacity. Nothing was changed by the failed call,
/// so a sender asked to retry (HTTP 503) loses nothing.
/// </summary>
public sealed class WebhookStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WebhookStoreUnavailableException()
        : base("The webhook store is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed, never a secret or a payload.</param>
    public WebhookStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed, never a secret or a payload.</param>
    /// <param name="innerException">The cause.</param>
    public WebhookStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets how long the caller should wait before trying again, when the store can tell.</summary>
    /// <value><see langword="null"/> when unknown.</value>
    public TimeSpan? RetryAfter { get; init; }
}
