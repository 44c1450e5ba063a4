using System;
using System.Collections.Generic;

namespace Webhooks.Storage;

/// <summary>
/// An event handed to one worker by <see cref="IWebhookEventStore.ClaimAsync"/>: the event with its body, and the fencing token that
/// every later transition of this attempt must present.
/// </summary>
/// <param name="Event">The event; <see cref="WebhookEvent.Attempts"/> is the number of this attempt.</param>
/// <param name="Token">The fencing token: strictly greater than any token issued for this event before. A transition with an older token is refused.</param>
/// <param name="LeaseExpiresAt">When the lease ends on the store's clock, unless renewed.</param>
public sealed record WebhookClaim(WebhookEvent Event, long Token, DateTimeOffset LeaseExpiresAt)
{
    /// <summary>Gets the handlers that succeeded for this event in its generation: the attempt does not run them again.</summary>
    public IReadOnlyList<string> SucceededHandlers { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether the claim holds the event's handler run from the start (no run of an earlier claim still
    /// holds it), so that its first handler runs without <see cref="IWebhookEventStore.BeginHandlerAsync"/>. When it does not, a handler
    /// of an earlier attempt may still be running: begin the run, and defer the event when it is busy.
    /// </summary>
    public bool HoldsRun { get; init; }
}
