using System;

namespace Webhooks.Storage;

/// <summary>
/// An event handed to one worker by <see cref="IEventStore.ClaimAsync"/>: the event with its body, and the fencing token that
/// every later transition of this attempt must present.
/// </summary>
/// <param name="Event">The event; <see cref="WebhookEvent.Attempts"/> is the number of this attempt.</param>
/// <param name="Token">The fencing token: strictly greater than any token issued for this event before. A transition with an older token is refused.</param>
/// <param name="LeaseExpiresAt">When the lease ends on the store's clock, unless renewed.</param>
public sealed record WebhookClaim(WebhookEvent Event, long Token, DateTimeOffset LeaseExpiresAt);
