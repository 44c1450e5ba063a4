using System;

namespace Webhooks.Providers;

/// <summary>
/// The answer to a provider's endpoint check (Slack's <c>url_verification</c>, Zoom's <c>endpoint.url_validation</c>, Twitch's
/// <c>webhook_callback_verification</c>, Discord's PING): sent after the request's signature is verified, never stored.
/// </summary>
public sealed class WebhookHandshake
{
    /// <summary>Creates an answer.</summary>
    /// <param name="statusCode">The HTTP status, usually 200.</param>
    /// <param name="contentType">The media type of <paramref name="body"/>, for example <c>application/json</c> or <c>text/plain</c>.</param>
    /// <param name="body">The body, UTF-8 encoded when sent.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is not a 2xx status.</exception>
    public WebhookHandshake(int statusCode, string contentType, string body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 299);
        ArgumentNullException.ThrowIfNull(contentType);
        ArgumentNullException.ThrowIfNull(body);
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
    }

    /// <summary>Gets the HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>Gets the media type of the body.</summary>
    public string ContentType { get; }

    /// <summary>Gets the body.</summary>
    public string Body { get; }

    /// <summary>A 200 answer with a JSON body.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The answer.</returns>
    public static WebhookHandshake Json(string json) => new(200, "application/json", json);

    /// <summary>A 200 answer with a plain-text body.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The answer.</returns>
    public static WebhookHandshake Text(string text) => new(200, "text/plain; charset=utf-8", text);
}
