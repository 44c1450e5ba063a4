using System.ComponentModel.DataAnnotations;

namespace Webhooks;

/// <summary>Limits of the in-memory stores (<c>Webhooks:InMemory</c>).</summary>
public sealed class InMemoryStoreOptions
{
    /// <summary>Gets or sets how many events the in-memory event store holds; when full (after dropping expired processed events) deliveries are refused with 503.</summary>
    /// <value>1 to 10,000,000; 100,000 by default.</value>
    [Range(1, 10_000_000)]
    public int MaxEvents { get; set; } = 100_000;

    /// <summary>Gets or sets how many keys the in-memory idempotency store holds.</summary>
    /// <value>1 to 10,000,000; 200,000 by default.</value>
    [Range(1, 10_000_000)]
    public int MaxIdempotencyKeys { get; set; } = 200_000;
}
