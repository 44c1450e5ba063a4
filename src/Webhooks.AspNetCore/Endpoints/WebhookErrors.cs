namespace Webhooks.AspNetCore.Endpoints;

/// <summary>The stable error codes of the HTTP contract.</summary>
public static class WebhookErrors
{
    /// <summary>401: the signature is missing, malformed or does not match.</summary>
    public const string InvalidSignature = "invalid_signature";

    /// <summary>401: the signature matches but its timestamp is outside the tolerance.</summary>
    public const string SignatureExpired = "signature_expired";

    /// <summary>400: the delivery carries no id.</summary>
    public const string MissingDeliveryId = "missing_delivery_id";

    /// <summary>400: the delivery id (or event type) is malformed, longer than 200 characters, or given twice with different values.</summary>
    public const string InvalidDeliveryId = "invalid_delivery_id";

    /// <summary>400: the body is not JSON where JSON is needed (not an object, invalid UTF-8 in a string, or a top-level <c>id</c>/<c>type</c> given twice).</summary>
    public const string InvalidJson = "invalid_json";

    /// <summary>400: the body's framing is broken (bad chunking, or the connection was cut before the declared length arrived).</summary>
    public const string InvalidBody = "invalid_body";

    /// <summary>408: the body arrived too slowly.</summary>
    public const string RequestTimeout = "request_timeout";

    /// <summary>500: a fault in the receiver itself (logged once at Error); the sender should retry.</summary>
    public const string InternalError = "internal_error";

    /// <summary>413: the body is larger than the source's limit.</summary>
    public const string PayloadTooLarge = "payload_too_large";

    /// <summary>404: no source has that name.</summary>
    public const string UnknownSource = "unknown_source";

    /// <summary>422: the id is stored already with a different body.</summary>
    public const string ConflictingDuplicate = "conflicting_duplicate";

    /// <summary>503: the store is unreachable, too slow or full; retry after <c>Retry-After</c>.</summary>
    public const string StoreUnavailable = "store_unavailable";

    /// <summary>503: the source's secrets could not be read from its <c>IWebhookSecretProvider</c>; retry after <c>Retry-After</c>.</summary>
    public const string SecretsUnavailable = "secrets_unavailable";

    /// <summary>404 (admin): no event has that id.</summary>
    public const string NotFound = "not_found";

    /// <summary>409 (admin): replay refused because the event was processed; add <c>?force=true</c>.</summary>
    public const string AlreadyProcessed = "already_processed";

    /// <summary>409 (admin): replay refused because the event is queued, processing or waiting for a retry.</summary>
    public const string AlreadyPending = "already_pending";

    /// <summary>400 (admin): a query parameter is not valid.</summary>
    public const string InvalidQuery = "invalid_query";
}
