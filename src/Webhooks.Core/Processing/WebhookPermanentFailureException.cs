using System;

namespace Webhooks.Processing;

/// <summary>
/// Thrown by a handler to say that retrying cannot help (the payload refers to something that does not exist, a business rule
/// rejects it): the event becomes dead after this attempt, with the message as its last error.
/// </summary>
public sealed class WebhookPermanentFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WebhookPermanentFailureException()
        : base("The webhook cannot be processed; retrying will not help.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why the event cannot be processed; stored as its last error, so never a secret or payload.</param>
    public WebhookPermanentFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">Why the event cannot be processed.</param>
    /// <param name="innerException">The cause.</param>
    public WebhookPermanentFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
