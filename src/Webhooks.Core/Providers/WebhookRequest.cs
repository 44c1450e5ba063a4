using System;
using System.Collections.Generic;
using Microsoft.Extensions.Primitives;

namespace Webhooks.Providers;

/// <summary>A delivery as received: the raw body, the headers, the method and, for schemes that sign it, the URL.</summary>
public readonly ref struct WebhookRequest
{
    private readonly IDictionary<string, StringValues> _headers;

    /// <summary>Creates a request.</summary>
    /// <param name="body">The body exactly as received.</param>
    /// <param name="headers">The headers, looked up by name ignoring case (ASP.NET Core's request headers are such a dictionary).</param>
    /// <param name="method">The HTTP method; <c>POST</c> by default.</param>
    /// <param name="url">
    /// The absolute URL the sender posted to, query included, for schemes that sign it (<see cref="WebhookProvider.SignsUrl"/>);
    /// <see langword="null"/> otherwise.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="headers"/> or <paramref name="method"/> is <see langword="null"/>.</exception>
    public WebhookRequest(ReadOnlySpan<byte> body, IDictionary<string, StringValues> headers, string method = "POST", string? url = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(method);
        Body = body;
        _headers = headers;
        Method = method;
        Url = url;
    }

    /// <summary>Gets the body exactly as received.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>Gets the HTTP method.</summary>
    public string Method { get; }

    /// <summary>Gets the absolute URL the sender posted to, when the scheme signs it; otherwise <see langword="null"/>.</summary>
    public string? Url { get; }

    /// <summary>Gets every value of a header; empty when it is absent.</summary>
    /// <param name="name">The header name, in any case.</param>
    /// <returns>The values.</returns>
    public StringValues Values(string name) => _headers.TryGetValue(name, out StringValues values) ? values : StringValues.Empty;

    /// <summary>
    /// Gets a header's value: empty when absent; when a sender repeats it, the values joined with commas (which no well-formed
    /// signature or id contains, so a repeated header never verifies by accident).
    /// </summary>
    /// <param name="name">The header name, in any case.</param>
    /// <returns>The value, or an empty string.</returns>
    public string Header(string name) => _headers.TryGetValue(name, out StringValues values) ? values.ToString() : "";

    /// <summary>
    /// Reads a header that identifies the delivery: absent is empty; repeated with the same value is that value; repeated with
    /// different values is <see langword="false"/> (the delivery is ambiguous and is refused).
    /// </summary>
    /// <param name="name">The header name, in any case.</param>
    /// <param name="value">The value, or an empty string.</param>
    /// <returns><see langword="false"/> when the header is repeated with different values.</returns>
    public bool TryGetSingle(string name, out string value)
    {
        StringValues values = Values(name);
        value = values.Count == 0 ? "" : values[0] ?? "";
        for (int i = 1; i < values.Count; i++)
        {
            if (!string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Gets the media type of <c>Content-Type</c> without parameters, for example <c>application/json</c>; empty when absent.</summary>
    public ReadOnlySpan<char> MediaType
    {
        get
        {
            ReadOnlySpan<char> type = Header("Content-Type");
            int parameters = type.IndexOf(';');
            return (parameters >= 0 ? type[..parameters] : type).Trim();
        }
    }

    /// <summary>Gets a value indicating whether the body is declared as JSON (<c>application/json</c> or <c>application/*+json</c>) or not declared at all.</summary>
    public bool IsJsonOrUndeclared
    {
        get
        {
            ReadOnlySpan<char> type = MediaType;
            return type.IsEmpty || type.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
                (type.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && type.StartsWith("application/", StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Gets a value indicating whether the body is declared as an HTML form (<c>application/x-www-form-urlencoded</c>).</summary>
    public bool IsForm => MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
