namespace Webhooks.Storage;

/// <summary>The outcome of <see cref="IWebhookEventStore.AppendAsync"/>.</summary>
public enum WebhookAppendResult
{
    /// <summary>The event was new and is now stored.</summary>
    Appended = 0,

    /// <summary>An event with the same id and the same body is already stored; nothing changed.</summary>
    Duplicate,

    /// <summary>An event with the same id but a different body is already stored; nothing changed, and the new one must not be processed.</summary>
    ConflictingDuplicate,
}
