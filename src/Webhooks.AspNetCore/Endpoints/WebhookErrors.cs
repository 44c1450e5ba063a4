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

    /// <summary>400: the body is not JSON where the id or type must be read from it.</summary>
    public const string InvalidJson = "invalid_json";

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
