using System.ComponentModel.DataAnnotations;

namespace Webhooks;

/// <summary>Limits of the in-memory stores (<c>Webhooks:InMemory</c>), counted in events and in bytes.</summary>
/// <remarks>
/// A store at its limit refuses new deliveries (the endpoint answers 503) and never evicts anything inside its retention.
/// Dead events are held in an allowance of their own (<see cref="MaxDeadEvents"/>, <see cref="MaxDeadBytes"/>), so that a pile
/// of dead letters does not stop intake; only what overflows that allowance counts against <see cref="MaxEvents"/> and
/// <see cref="MaxBytes"/>.
/// </remarks>
public sealed class InMemoryStoreOptions
{
    /// <summary>The default of <see cref="MaxEvents"/>.</summary>
    public const int DefaultMaxEvents = 100_000;

    /// <summary>The default of <see cref="MaxBytes"/>: 256 MiB.</summary>
    public const long DefaultMaxBytes = 256L * 1024 * 1024;

    /// <summary>The default of <see cref="MaxDeadEvents"/>.</summary>
    public const int DefaultMaxDeadEvents = 10_000;

    /// <summary>The default of <see cref="MaxDeadBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxDeadBytes = 64L * 1024 * 1024;

    /// <summary>The default of <see cref="MaxIdempotencyKeys"/>.</summary>
    public const int DefaultMaxIdempotencyKeys = 400_000;

    /// <summary>Gets or sets how many events (queued, in progress, failed, or processed and remembered) the event store holds.</summary>
    /// <value>1 to 10,000,000; 100,000 by default.</value>
    [Range(1, 10_000_000)]
    public int MaxEvents { get; set; } = DefaultMaxEvents;

    /// <summary>Gets or sets how many bytes those events may take: bodies, headers and a fixed allowance per event.</summary>
    /// <value>1 MiB to 64 GiB; 256 MiB by default.</value>
    [Range(1024L * 1024, 64L * 1024 * 1024 * 1024)]
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>Gets or sets how many dead events are held beside <see cref="MaxEvents"/>.</summary>
    /// <value>0 to 10,000,000; 10,000 by default.</value>
    [Range(0, 10_000_000)]
    public int MaxDeadEvents { get; set; } = DefaultMaxDeadEvents;

    /// <summary>Gets or sets how many bytes dead events may take beside <see cref="MaxBytes"/>.</summary>
    /// <value>0 to 64 GiB; 64 MiB by default.</value>
    [Range(0L, 64L * 1024 * 1024 * 1024)]
    public long MaxDeadBytes { get; set; } = DefaultMaxDeadBytes;

    /// <summary>
    /// Gets or sets how many keys the in-memory idempotency store holds: the handlers' own (<c>charge:&lt;invoice&gt;</c>); the
    /// dispatcher records handler runs with the events. When it is full, new deliveries are refused (503) too, so that nothing
    /// is accepted whose handlers could not record their effects.
    /// </summary>
    /// <value>1 to 100,000,000; 400,000 by default.</value>
    [Range(1, 100_000_000)]
    public int MaxIdempotencyKeys { get; set; } = DefaultMaxIdempotencyKeys;
}
