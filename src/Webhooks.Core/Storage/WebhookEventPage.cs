using System.Collections.Generic;

namespace Webhooks.Storage;

/// <summary>One page of events from <see cref="IEventStore.ListAsync"/>.</summary>
/// <param name="Items">The events on this page, oldest first.</param>
/// <param name="ContinuationToken">The token for the next page; <see langword="null"/> on the last page.</param>
public sealed record WebhookEventPage(IReadOnlyList<WebhookEvent> Items, string? ContinuationToken);
