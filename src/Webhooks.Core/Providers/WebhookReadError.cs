namespace Webhooks.Providers;

/// <summary>Why a verified delivery cannot be taken; each is answered 400 with a stable error code.</summary>
public enum WebhookReadError
{
    /// <summary><c>missing_delivery_id</c>: the delivery carries no id.</summary>
    MissingDeliveryId,

    /// <summary><c>invalid_delivery_id</c>: the id or type is malformed, or an identity header is repeated with different values.</summary>
    InvalidDeliveryId,

    /// <summary><c>invalid_json</c>: the body is not the JSON the scheme requires.</summary>
    InvalidJson,

    /// <summary><c>invalid_body</c>: the body is not in the form the scheme requires (for example a form that cannot be decoded).</summary>
    InvalidBody,
}
