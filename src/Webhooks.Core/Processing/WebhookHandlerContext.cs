namespace Webhooks.Processing;

/// <summary>
/// The attempt a handler runs in, from the handler's scope: the event, the claim's fencing token and the handler's name, as the
/// store knows them. A store that can commit a handler's own writes with the record of its success (PostgreSQL's
/// <c>WebhookPostgreSqlTransaction</c>) reads it to fence that record by the claim's token.
/// </summary>
public sealed class WebhookHandlerContext
{
    /// <summary>Gets the id of the event being handled; empty outside an attempt.</summary>
    public string EventId { get; private set; } = "";

    /// <summary>Gets the fencing token of the claim the attempt runs under; 0 outside an attempt.</summary>
    public long Token { get; private set; }

    /// <summary>Gets the name under which the handler's success is recorded; empty outside an attempt.</summary>
    public string HandlerName { get; private set; } = "";

    /// <summary>Gets a value indicating whether a handler is running in this scope.</summary>
    public bool IsActive => Token != 0;

    internal void Enter(string eventId, long token, string handlerName)
    {
        EventId = eventId;
        Token = token;
        HandlerName = handlerName;
    }
}
