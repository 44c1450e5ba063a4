namespace Webhooks.Storage;

/// <summary>
/// Marks an event store that keeps each appended event's body array itself for as long as the event lives (the in-memory
/// store), instead of copying the bytes elsewhere and letting the array go. The endpoint allocates bodies for such a store where
/// the garbage collector never moves them; for any other store it allocates them on the ordinary heap, where an array that dies
/// young costs nothing to collect (a pinned one is freed only by a full collection).
/// </summary>
internal interface IKeepsBodyArrays;
