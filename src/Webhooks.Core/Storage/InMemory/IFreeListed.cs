namespace Webhooks.Storage;

/// <summary>A slot of <see cref="SlotChunks{T}"/>: while it is free, it links to the next free one.</summary>
internal interface IFreeListed
{
    /// <summary>Gets or sets the next free slot's number plus one, 0 for none; meaningful only while the slot is free.</summary>
    int NextFree { get; set; }
}
