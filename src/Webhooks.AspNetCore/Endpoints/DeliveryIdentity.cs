using System;
using Webhooks.Providers;

namespace Webhooks.AspNetCore.Endpoints;

/// <summary>
/// The identity rules, the same for every provider: a delivery id (and an event type, when there is one) is 1 to
/// <see cref="MaxIdLength"/> characters of printable ASCII without space, <c>/</c>, <c>?</c>, <c>#</c>, <c>%</c> or <c>\</c> (a
/// type may hold <c>/</c>).
/// What a provider read (<see cref="WebhookReadResult"/>) is checked against them here, so that no provider can store an id
/// that would break a route or an event id.
/// </summary>
internal readonly record struct DeliveryIdentity(string? DeliveryId, string EventType, string? Error)
{
    /// <summary>The longest delivery id (and event type) accepted.</summary>
    public const int MaxIdLength = 200;

    /// <summary>The identity of an event a provider read, or the error code to answer with.</summary>
    public static DeliveryIdentity Of(in WebhookReadResult read)
    {
        if (read.Error is { } error)
        {
            return Invalid(ErrorCode(error));
        }

        string? id = read.DeliveryId;
        if (string.IsNullOrEmpty(id))
        {
            return Invalid(WebhookErrors.MissingDeliveryId);
        }

        string type = read.EventType ?? "";
        return IsValidId(id) && (type.Length == 0 || IsValidType(type))
            ? new DeliveryIdentity(id, type, null)
            : Invalid(WebhookErrors.InvalidDeliveryId);
    }

    /// <summary>The HTTP contract's code for a read error.</summary>
    public static string ErrorCode(WebhookReadError error) => error switch
    {
        WebhookReadError.MissingDeliveryId => WebhookErrors.MissingDeliveryId,
        WebhookReadError.InvalidDeliveryId => WebhookErrors.InvalidDeliveryId,
        WebhookReadError.InvalidJson => WebhookErrors.InvalidJson,
        _ => WebhookErrors.InvalidBody,
    };

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

    /// <summary>Tells whether an event type follows the rules: those of an id, except that <c>/</c> is allowed (Shopify's <c>orders/create</c>).</summary>
    public static bool IsValidType(ReadOnlySpan<char> type)
    {
        if (type.Length is 0 or > MaxIdLength)
        {
            return false;
        }

        foreach (char c in type)
        {
            if (c is <= ' ' or > '~' or '?' or '#' or '%' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    private static DeliveryIdentity Invalid(string error) => new(null, "", error);
}
