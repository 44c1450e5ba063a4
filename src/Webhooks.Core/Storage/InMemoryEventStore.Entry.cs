using System;
using System.Collections.Generic;

namespace Webhooks.Storage;

public sealed partial class InMemoryEventStore
{
    /// <summary>One stored event and its mutable state; changed only under the store's lock, and taken out of an index before a key of that index changes.</summary>
    private sealed class Entry(WebhookEvent received, long sequence, long size)
    {
        private static readonly WebhookEvent Forgotten = new() { Id = "", Source = "", EventType = "" };

        public WebhookEvent Event { get; private set; } = received;

        public long Sequence { get; } = sequence;

        public long Size { get; } = size;

        public WebhookEventStatus Status { get; set; } = WebhookEventStatus.Queued;

        public int Attempts { get; set; }

        // Times are kept as UTC ticks: an entry lives as long as its event, and every byte of it counts.
        private long _dueAt;
        private long _completedAt = NotCompleted;

        private const long NotCompleted = long.MinValue;

        /// <summary>The schedule key: when queued, when it was queued; when failed, the retry time; when processing, the lease expiry.</summary>
        public DateTimeOffset DueAt
        {
            get => new(_dueAt, TimeSpan.Zero);
            set => _dueAt = value.UtcTicks;
        }

        public DateTimeOffset? CompletedAt
        {
            get => _completedAt == NotCompleted ? null : new DateTimeOffset(_completedAt, TimeSpan.Zero);
            set => _completedAt = value is { } at ? at.UtcTicks : NotCompleted;
        }

        public long Token { get; set; }

        public string? LastError { get; set; }

        public int ReplayCount { get; set; }

        public int Generation { get; set; }

        public bool Unhandled { get; set; }

        public bool InDeadAllowance { get; set; }

        /// <summary>Gets or sets the number of state changes: a queue item remembers it, and is stale once it differs.</summary>
        public int Version { get; set; }

        public bool Removed { get; private set; }

        /// <summary>Marks the entry removed and lets go of its event (body, headers), which queue items and the arrival list may outlive.</summary>
        public void Forget()
        {
            Removed = true;
            Event = Forgotten;
        }

        public WebhookEvent Snapshot() =>
            Event.Attempts == Attempts && Event.ReplayCount == ReplayCount && Event.Generation == Generation
                ? Event
                : Event with { Attempts = Attempts, ReplayCount = ReplayCount, Generation = Generation };

        public WebhookEventSummary Summarize() => new()
        {
            Id = Event.Id,
            Source = Event.Source,
            EventType = Event.EventType,
            ReceivedAt = Event.ReceivedAt,
            Status = Status,
            Attempts = Attempts,
            NextAttemptAt = Status == WebhookEventStatus.Failed ? DueAt : null,
            LeaseExpiresAt = Status == WebhookEventStatus.Processing ? DueAt : null,
            LastError = LastError,
            CompletedAt = CompletedAt,
            ReplayCount = ReplayCount,
            Generation = Generation,
            Unhandled = Unhandled,
            BodyLength = Event.Body.Length,
        };
    }

    /// <summary>Due work: earliest due first, then arrival.</summary>
    private sealed class ScheduleOrder : IComparer<Entry>
    {
        public static readonly ScheduleOrder Instance = new();

        public int Compare(Entry? x, Entry? y)
        {
            int byTime = x!.DueAt.CompareTo(y!.DueAt);
            return byTime != 0 ? byTime : x.Sequence.CompareTo(y.Sequence);
        }
    }

    /// <summary>Arrival order, by sequence number.</summary>
    private sealed class ArrivalOrder : IComparer<Entry>
    {
        public static readonly ArrivalOrder Instance = new();

        private static readonly WebhookEvent ProbeEvent = new() { Id = "", Source = "", EventType = "" };

        public static Entry Probe(long sequence) => new(ProbeEvent, sequence, 0);

        public int Compare(Entry? x, Entry? y) => x!.Sequence.CompareTo(y!.Sequence);
    }
}
