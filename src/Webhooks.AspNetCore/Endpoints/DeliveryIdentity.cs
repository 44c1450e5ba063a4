using System;
using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Webhooks.Sources;
using Webhooks.Signatures;

namespace Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The delivery id and event type of a verified delivery, from headers or a <see cref="Utf8JsonReader"/> pass over the body, and
/// the identity rules: an id is 1 to <see cref="MaxIdLength"/> characters of printable ASCII without space, <c>/</c>, <c>?</c>,
/// <c>#</c>, <c>%</c> or <c>\</c>; an identity header given twice with different values is refused; a body that must be JSON is
/// checked completely (an object, valid UTF-8 in every string, no duplicated top-level <c>id</c> or <c>type</c>).
/// </summary>
internal readonly record struct DeliveryIdentity(string? DeliveryId, string EventType, string? Error)
{
    /// <summary>The longest delivery id (and event type) accepted.</summary>
    public const int MaxIdLength = 200;

    /// <param name="kind">The source's scheme.</param>
    /// <param name="headers">The request's headers.</param>
    /// <param name="body">The verified body.</param>
    /// <param name="standardIdHeader">Standard Webhooks: the id header the delivery came under (<c>webhook-id</c> or <c>svix-id</c>).</param>
    public static DeliveryIdentity Extract(WebhookSourceKind kind, IHeaderDictionary headers, ReadOnlySpan<byte> body, string standardIdHeader)
    {
        switch (kind)
        {
            case WebhookSourceKind.GitHub:
            {
                if (!TrySingle(headers[GitHubSignatureVerifier.DeliveryHeader], out string id) ||
                    !TrySingle(headers[GitHubSignatureVerifier.EventHeader], out string type))
                {
                    return Invalid(WebhookErrors.InvalidDeliveryId);
                }

                if (id.Length == 0)
                {
                    return Invalid(WebhookErrors.MissingDeliveryId);
                }

                if (!IsValidId(id) || (type.Length > 0 && !IsValidId(type)))
                {
                    return Invalid(WebhookErrors.InvalidDeliveryId);
                }

                // GitHub sends JSON unless the hook was configured for form encoding, which is accepted as sent.
                if (IsJsonOrAbsent(headers.ContentType) && !TryScan(body, out _, out _))
                {
                    return Invalid(WebhookErrors.InvalidJson);
                }

                return new DeliveryIdentity(id, type, null);
            }

            case WebhookSourceKind.Stripe:
            {
                if (!TryScan(body, out string? id, out string? type))
                {
                    return Invalid(WebhookErrors.InvalidJson);
                }

                if (string.IsNullOrEmpty(id))
                {
                    return Invalid(WebhookErrors.MissingDeliveryId);
                }

                return IsValidId(id) && (type is null || type.Length == 0 || IsValidId(type))
                    ? new DeliveryIdentity(id, type ?? "", null)
                    : Invalid(WebhookErrors.InvalidDeliveryId);
            }

            default:
            {
                if (!TrySingle(headers[standardIdHeader], out string id))
                {
                    return Invalid(WebhookErrors.InvalidDeliveryId);
                }

                if (id.Length == 0)
                {
                    return Invalid(WebhookErrors.MissingDeliveryId);
                }

                if (!IsValidId(id))
                {
                    return Invalid(WebhookErrors.InvalidDeliveryId);
                }

                if (!TryScan(body, out _, out string? type))
                {
                    return Invalid(WebhookErrors.InvalidJson);
                }

                return type is null || type.Length == 0 || IsValidId(type)
                    ? new DeliveryIdentity(id, type ?? "", null)
                    : Invalid(WebhookErrors.InvalidDeliveryId);
            }
        }
    }

    /// <summary>Tells whether a delivery id follows the rules: 1 to 200 printable ASCII characters, none of space / ? # % \.</summary>
    public static bool IsValidId(ReadOnlySpan<char> id)
    {
        if (id.Length is 0 or > MaxIdLength)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (c is <= ' ' or > '~' or '/' or '?' or '#' or '%' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks a whole JSON document and reads its top-level <c>id</c> and <c>type</c> strings: the document must be one object,
    /// every string and property name valid UTF-8 (escapes included: no lone surrogates), and neither <c>id</c> nor <c>type</c>
    /// given twice at the top level. Never throws.
    /// </summary>
    internal static bool TryScan(ReadOnlySpan<byte> json, out string? id, out string? type)
    {
        id = null;
        type = null;
        bool seenId = false;
        bool seenType = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                    {
                        if (!IsValidText(ref reader))
                        {
                            return false;
                        }

                        if (reader.CurrentDepth != 1)
                        {
                            break;
                        }

                        bool isId = reader.ValueTextEquals("id"u8);
                        bool isType = !isId && reader.ValueTextEquals("type"u8);
                        if ((isId && seenId) || (isType && seenType))
                        {
                            return false;
                        }

                        seenId |= isId;
                        seenType |= isType;
                        if (!reader.Read())
                        {
                            return false;
                        }

                        if (reader.TokenType == JsonTokenType.String)
                        {
                            if (!IsValidText(ref reader))
                            {
                                return false;
                            }

                            if (isId)
                            {
                                id = reader.GetString();
                            }
                            else if (isType)
                            {
                                type = reader.GetString();
                            }
                        }

                        break;
                    }

                    case JsonTokenType.String when !IsValidText(ref reader):
                        return false;
                }

                if (reader.CurrentDepth == 0 && reader.TokenType == JsonTokenType.EndObject)
                {
                    // The object is closed; nothing but white space may follow.
                    return !reader.Read();
                }
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // A string the reader cannot turn into text (invalid UTF-8 or UTF-16 escapes).
            return false;
        }
    }

    /// <summary>Tells whether the current string or property name is valid text, its escapes included.</summary>
    private static bool IsValidText(ref Utf8JsonReader reader)
    {
        ReadOnlySpan<byte> raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return Utf8.IsValid(raw);
        }

        // Unescaped text is never longer than its escaped form.
        byte[]? rented = raw.Length > 512 ? ArrayPool<byte>.Shared.Rent(raw.Length) : null;
        Span<byte> text = rented ?? stackalloc byte[512];
        try
        {
            int length = reader.CopyString(text);
            return Utf8.IsValid(text[..length]);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Reads a header that may be absent (empty) or repeated with the same value; <see langword="false"/> when repeated with different values.</summary>
    private static bool TrySingle(StringValues values, out string value)
    {
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

    private static bool IsJsonOrAbsent(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        ReadOnlySpan<char> mediaType = contentType.AsSpan();
        int parameters = mediaType.IndexOf(';');
        mediaType = (parameters >= 0 ? mediaType[..parameters] : mediaType).Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
            (mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase));
    }

    private static DeliveryIdentity Invalid(string error) => new(null, "", error);
}
