using Webhooks.Signatures;

namespace Webhooks.Providers;

/// <summary>
/// One source's prepared verifier: checks a delivery's signature from the raw body and headers, then reads what the verified
/// delivery is. Made by <see cref="WebhookProvider.CreateVerifier"/>; shared by every request, so it must be thread-safe.
/// </summary>
public abstract class WebhookVerifier
{
    /// <summary>
    /// Checks the signature. Runs before anything is read from the body and must never throw on what a sender put in the request:
    /// bad input is a result. Compare secrets in constant time, and keep this free of allocations: it runs for every request,
    /// signed or not.
    /// </summary>
    /// <param name="request">The request as received.</param>
    /// <returns><see cref="SignatureVerificationResult.Valid"/> only when the delivery is authentic and fresh.</returns>
    public abstract SignatureVerificationResult Verify(in WebhookRequest request);

    /// <summary>
    /// Checks, before the signature, for what the scheme signs and the delivery cannot do without (the id of a scheme that signs
    /// it): a delivery without it is refused with that error rather than as a bad signature. Must not throw.
    /// </summary>
    /// <param name="request">The request as received.</param>
    /// <returns>The error, or <see langword="null"/> (the default) when the delivery can be verified.</returns>
    public virtual WebhookReadError? Precheck(in WebhookRequest request) => null;

    /// <summary>
    /// Reads what a verified delivery is: an event with its delivery id and type, a handshake to answer (never stored), or an
    /// error. Called only after <see cref="Verify"/> returned <see cref="SignatureVerificationResult.Valid"/>; must not throw on
    /// the body's content. The endpoint checks the id's and type's form itself.
    /// </summary>
    /// <param name="request">The verified request.</param>
    /// <returns>What the delivery is.</returns>
    public abstract WebhookReadResult Read(in WebhookRequest request);
}
