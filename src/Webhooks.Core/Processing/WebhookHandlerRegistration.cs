using System;

namespace Webhooks.Processing;

/// <summary>
/// Which handler type runs for which source and event type; <c>*</c> matches any. <c>AddHandler&lt;T&gt;()</c> makes these for the
/// receiver; a <see cref="WebhookWorkQueue"/> made by hand takes them directly. The handler type is resolved from the attempt's
/// scope, so it must be registered in the services.
/// </summary>
public sealed class WebhookHandlerRegistration
{
    /// <summary>The wildcard that matches any source or event type.</summary>
    public const string Any = "*";

    /// <summary>Creates a registration.</summary>
    /// <param name="source">The source name, or <c>*</c>.</param>
    /// <param name="eventType">The event type, or <c>*</c>.</param>
    /// <param name="handlerType">A type that implements <see cref="IWebhookHandler"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handlerType"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> or <paramref name="eventType"/> is empty, or <paramref name="handlerType"/> is not an <see cref="IWebhookHandler"/>.</exception>
    public WebhookHandlerRegistration(string source, string eventType, Type handlerType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventType);
        ArgumentNullException.ThrowIfNull(handlerType);
        if (!typeof(IWebhookHandler).IsAssignableFrom(handlerType))
        {
            throw new ArgumentException($"{handlerType.FullName} does not implement {nameof(IWebhookHandler)}.", nameof(handlerType));
        }

        Source = source;
        EventType = eventType;
        HandlerType = handlerType;
    }

    /// <summary>Gets the source name, or <c>*</c>.</summary>
    public string Source { get; }

    /// <summary>Gets the event type, or <c>*</c>.</summary>
    public string EventType { get; }

    /// <summary>Gets the handler type.</summary>
    public Type HandlerType { get; }

    /// <summary>
    /// Gets the handler's name in idempotency keys (<c>&lt;event id&gt;/&lt;name&gt;</c>): the handler type's full name. A handler
    /// that succeeded for an event is not run again for it by a retry; renaming the type makes it a new handler.
    /// </summary>
    public string Name => HandlerType.FullName ?? HandlerType.Name;

    /// <summary>Tells whether this registration applies to an event.</summary>
    /// <param name="source">The event's source.</param>
    /// <param name="eventType">The event's type.</param>
    /// <returns><see langword="true"/> when both match (ordinal, case-insensitive for the source).</returns>
    public bool Matches(string source, string eventType) =>
        (string.Equals(Source, Any, StringComparison.Ordinal) || string.Equals(Source, source, StringComparison.OrdinalIgnoreCase)) &&
        (string.Equals(EventType, Any, StringComparison.Ordinal) || string.Equals(EventType, eventType, StringComparison.Ordinal));
}
