namespace Webhooks.Signatures;

/// <summary>
/// The outcome of verifying a webhook signature. Only <see cref="Valid"/> means the delivery is authentic.
/// </summary>
public enum SignatureVerificationResult
{
    /// <summary>A signature matched one of the active secrets, and its timestamp (where the scheme has one) is within tolerance.</summary>
    Valid = 0,

    /// <summary>A header the scheme needs (signature, id or timestamp) is absent or empty.</summary>
    Missing,

    /// <summary>The headers are present but cannot be parsed: wrong prefix, bad hex or base64, a timestamp that is not a non-negative integer.</summary>
    Malformed,

    /// <summary>The headers are well formed but no signature matches any active secret.</summary>
    Mismatch,

    /// <summary>The signature matches, but its timestamp is older than the past tolerance allows.</summary>
    Expired,

    /// <summary>The signature matches, but its timestamp lies further in the future than the future tolerance allows.</summary>
    FutureTimestamp,

    /// <summary>None of the configured secrets is inside its validity window at this time, so nothing can be verified.</summary>
    NoActiveSecret,
}
