using System;

namespace Webhooks.Sender.Security;

/// <summary>
/// Thrown, as the inner exception of an <see cref="System.Net.Http.HttpRequestException"/>, when a connection to a subscriber
/// is refused because every address of its host is forbidden; no connection was made.
/// </summary>
public sealed class WebhookEndpointRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The error code (<see cref="WebhookUrlErrors"/>).</param>
    /// <param name="message">The message.</param>
    public WebhookEndpointRefusedException(string errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Gets the error code (<see cref="WebhookUrlErrors"/>).</summary>
    public string ErrorCode { get; }
}
