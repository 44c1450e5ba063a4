using System;
using System.Runtime.InteropServices;

namespace Webhooks.Storage;

public sealed partial class InMemoryEventStore
{
    /// <summary>
    /// One stored event and its state, a value in a chunk of slots: a stored event is no object of its own. What it holds by
    /// reference is its body, a piece of a pinned page with its id, trace parent and packed header values (<see cref="Meta"/>),
    /// and strings and header shapes shared with other events. The collector never moves pinned arrays, and chunks are large, so
    /// an event kept for days costs no work in the frequent collections; an event made of small objects is copied twice
    /// and its references traced at every one until it is old.
    /// </summary>
    /// <remarks>Changed only under the store's lock. A free slot has <see cref="Sequence"/> 0.</remarks>
    private struct Slot : IFreeListed
    {
        /// <summary>The id (UTF-16), then the trace parent (UTF-16), then the packed header values: a piece of a pinned page, written once.</summary>
        public Memory<byte> Meta;
        public ReadOnlyMemory<byte> Body;
        public string?[]? HeaderPairs;
        public string? Source;
        public string? EventType;
        public string? LastError;
        public long ReceivedAtTicks;
        public long Sequence;
        public long Size;

        /// <summary>A store-wide number given at every change of status: a queued or retention item remembers it, and is stale once it differs.</summary>
        public long Stamp;

        /// <summary>The schedule key in UTC ticks: when queued, when it was queued; when failed, the retry time; when processing, the lease expiry.</summary>
        public long DueAt;
        public long CompletedAt;
        public long Token;
        public int IdLength;

        /// <summary>The trace parent's length in characters, or -1 when there is none.</summary>
        public int TraceLength;
        public int HeaderOwnBytes;
        public int HashCode;

        /// <summary>The handler whose run the event holds now, or <see langword="null"/>; held by <see cref="RunToken"/> until <see cref="RunUntil"/>.</summary>
        public string? RunHandler;
        public long RunToken;
        public long RunUntil;

        /// <summary>The handlers that succeeded for this event in its generation (cleared once it is processed: nothing runs again then but a forced replay).</summary>
        public string[]? Succeeded;

        public int Attempts;
        public int Interruptions;
        public int ReplayCount;
        public int Generation;
        public short ReceivedAtOffsetMinutes;
        public WebhookEventStatus Status;
        public bool DeduplicateByBody;
        public bool Unhandled;
        public bool InDeadAllowance;

        public int NextFree { readonly get; set; }

        public readonly ReadOnlySpan<char> Id => MemoryMarshal.Cast<byte, char>(Meta.Span[..(2 * IdLength)]);

        public readonly bool HasSucceeded(string handler)
        {
            if (Succeeded is { } succeeded)
            {
                foreach (string name in succeeded)
                {
                    if (string.Equals(name, handler, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        public readonly DateTimeOffset? CompletedAtOrNull => CompletedAt == NotCompleted ? null : new DateTimeOffset(CompletedAt, TimeSpan.Zero);

        public readonly WebhookEvent ToEvent()
        {
            int traceStart = 2 * IdLength;
            int packedStart = traceStart + (2 * Math.Max(TraceLength, 0));
            return new WebhookEvent
            {
                Id = new string(Id),
                Source = Source!,
                EventType = EventType!,
                Headers = WebhookHeaders.Restore(HeaderPairs!, Meta[packedStart..], HeaderOwnBytes),
                Body = Body,
                ReceivedAt = new DateTimeOffset(ReceivedAtTicks, TimeSpan.FromMinutes(ReceivedAtOffsetMinutes)),
                Attempts = Attempts,
                Interruptions = Interruptions,
                ReplayCount = ReplayCount,
                Generation = Generation,
                DeduplicateByBody = DeduplicateByBody,
                TraceParent = TraceLength < 0 ? null : new string(MemoryMarshal.Cast<byte, char>(Meta.Span.Slice(traceStart, 2 * TraceLength))),
            };
        }

        public readonly WebhookEventSummary Summarize() => new()
        {
            Id = new string(Id),
            Source = Source!,
            EventType = EventType!,
            ReceivedAt = new DateTimeOffset(ReceivedAtTicks, TimeSpan.FromMinutes(ReceivedAtOffsetMinutes)),
            Status = Status,
            Attempts = Attempts,
            NextAttemptAt = Status == WebhookEventStatus.Failed ? new DateTimeOffset(DueAt, TimeSpan.Zero) : null,
            LeaseExpiresAt = Status == WebhookEventStatus.Processing ? new DateTimeOffset(DueAt, TimeSpan.Zero) : null,
            LastError = LastError,
            CompletedAt = CompletedAtOrNull,
            ReplayCount = ReplayCount,
            Generation = Generation,
            Unhandled = Unhandled,
            BodyLength = Body.Length,
        };
    }

    /// <summary>
    /// The slots, in chunks that are allocated once and never copied, with the index of ids: ids hashed with the runtime's
    /// randomized string hash (a sender cannot aim its ids at one place of the index) and compared with the characters the
    /// slot keeps.
    /// </summary>
    private sealed class SlotTable
    {
        private readonly SlotChunks<Slot> _slots = new();
        private readonly PinnedPages<byte> _pages = new(8 * 1024);
        private readonly ShardedHashIndex _index = new();

        public int Count => _slots.Count;

        public ref Slot this[int index] => ref _slots[index];

        /// <summary>Finds the slot of an id, or -1.</summary>
        public int Find(ReadOnlySpan<char> id)
        {
            int hash = string.GetHashCode(id, StringComparison.Ordinal);
            int probe = -1;
            int index;
            while ((index = _index.Next(hash, ref probe)) >= 0 && !_slots[index].Id.SequenceEqual(id))
            {
            }

            return index;
        }

        /// <summary>
        /// Takes a free slot for an id that is not indexed yet, writes the id, trace parent and packed header values into a
        /// piece of a pinned page, indexes it, and returns its number; the caller fills the rest, a non-zero sequence first of all.
        /// </summary>
        public int Add(string id, string? traceParent, ReadOnlySpan<byte> packedHeaders)
        {
            int index = _slots.Take();
            ref Slot slot = ref _slots[index];

            // Characters at an even offset: pieces are taken at even lengths.
            int traceLength = traceParent?.Length ?? 0;
            int length = (2 * (id.Length + traceLength)) + packedHeaders.Length;
            Memory<byte> meta = _pages.Take(length + (length & 1))[..length];
            Span<char> text = MemoryMarshal.Cast<byte, char>(meta.Span[..(2 * (id.Length + traceLength))]);
            id.AsSpan().CopyTo(text);
            traceParent.AsSpan().CopyTo(text[id.Length..]);
            packedHeaders.CopyTo(meta.Span[(2 * (id.Length + traceLength))..]);
            slot.Meta = meta;
            slot.IdLength = id.Length;
            slot.TraceLength = traceParent is null ? -1 : traceLength;
            slot.HashCode = string.GetHashCode(id.AsSpan(), StringComparison.Ordinal);
            _index.Add(slot.HashCode, index);
            return index;
        }

        /// <summary>
        /// Moves an event's id, trace parent and headers out of its shared page into a pinned array of its own: a dead event may
        /// be kept for months, and would keep alive the page of dozens of events forgotten long before.
        /// </summary>
        public void KeepApart(int index)
        {
            ref Slot slot = ref _slots[index];
            byte[] own = GC.AllocateUninitializedArray<byte>(slot.Meta.Length, pinned: true);
            slot.Meta.Span.CopyTo(own);
            slot.Meta = own;
        }

        /// <summary>Takes a slot out of the id index, lets go of everything it references, and frees it.</summary>
        public void Remove(int index)
        {
            _index.Remove(_slots[index].HashCode, index);
            _slots.Free(index);
        }
    }
}
