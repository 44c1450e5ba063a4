using System;

namespace Webhooks.Sender.Subscriptions;

/// <summary>A subscription could not be created or changed as asked; <see cref="ErrorCode"/> says why.</summary>
public sealed class WebhookSubscriptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">A stable error code: a URL error (<see cref="Security.WebhookUrlErrors"/>), <c>invalid_event_types</c>, <c>invalid_description</c>, <c>invalid_metadata</c>, <c>invalid_signature_style</c> or <c>invalid_secret</c>.</param>
    /// <param name="message">The message, naming the problem.</param>
    public WebhookSubscriptionException(string errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Gets the error code.</summary>
    public string ErrorCode { get; }
}
