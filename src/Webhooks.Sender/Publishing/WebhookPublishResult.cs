namespace Webhooks.Sender.Publishing;

/// <summary>What publishing a message did.</summary>
/// <param name="MessageId">The message id, sent as <c>webhook-id</c> (or <c>X-GitHub-Delivery</c>) on every attempt to every subscriber.</param>
/// <param name="Deliveries">How many deliveries were stored: one per matching active subscription that did not have this message yet.</param>
/// <param name="AlreadyPublished">Whether a message with the same idempotency key had been published already (its deliveries are not made again).</param>
public sealed record WebhookPublishResult(string MessageId, int Deliveries, bool AlreadyPublished);
