using System.Collections.Generic;

namespace Webhooks.Storage;

/// <summary>One page of event summaries from <see cref="IWebhookEventStore.ListAsync"/>.</summary>
/// <param name="Items">The events on this page, newest first.</param>
/// <param name="Cursor">The cursor of the next page; <see langword="null"/> on the last page.</param>
public sealed record WebhookEventPage(IReadOnlyList<WebhookEventSummary> Items, string? Cursor);
