using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;

namespace Webhooks.Benchmarks;

/// <summary>
/// A yardstick for the in-memory store's layout, without the store: keeps events either as the store keeps them today, several
/// small objects each (an entry, the event record, its id, its packed headers and their array, the handler's idempotency key
/// and its entry, the body on the pinned-object heap), or as one pinned array each and a slot in an array of structs, and prints
/// the garbage collector's pause per kept event. Each event also makes some short-lived garbage, as a request does.
/// <code>taskset -c 0 dotnet run -c Release --project benchmarks/Webhooks.Benchmarks -- layout objects|compact [events] [body bytes]</code>
/// </summary>
internal static class LayoutRun
{
    private const int Report = 250_000;

    public static async Task<int> RunAsync(string[] args)
    {
        bool compact = args.Length > 1 && string.Equals(args[1], "compact", StringComparison.Ordinal);
        int total = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000_000;
        int bodyLength = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1015;
        if (args.Length < 2 || (!compact && !string.Equals(args[1], "objects", StringComparison.Ordinal)) || total < Report || bodyLength < 1)
        {
            await Console.Error.WriteLineAsync($"usage: layout objects|compact [events, at least {Report}] [body bytes, at least 1]").ConfigureAwait(false);
            return 2;
        }

        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var keys = new Dictionary<string, KeyEntry>(StringComparer.Ordinal);
        var slots = new List<Slot>();
        object?[] garbage = new object?[64];
        await Console.Out.WriteLineAsync($"{total:N0} events of {bodyLength:N0} bytes kept as {(compact ? "one pinned array and a struct slot each" : "small objects")}").ConfigureAwait(false);
        await Console.Out.WriteLineAsync("   events | µs/event | GC pause µs/event | collections gen0/1/2 | heap MB").ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        TimeSpan lastWall = TimeSpan.Zero;
        TimeSpan lastPause = GC.GetTotalPauseDuration();
        int[] lastCollections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        for (int n = 1; n <= total; n++)
        {
            string id = string.Concat("github:bench-1765000000-0-", n.ToString(CultureInfo.InvariantCulture));
            for (int i = 0; i < 30; i++)
            {
                // About 3 KB of short-lived garbage, as a request and its processing make.
                garbage[(n + i) & 63] = new byte[100];
            }

            if (compact)
            {
                // Body, id, headers and state serialised into one array (its content does not matter here).
                byte[] record = GC.AllocateUninitializedArray<byte>(bodyLength + 200, pinned: true);
                slots.Add(new Slot(record, n, n));
            }
            else
            {
                byte[] body = GC.AllocateUninitializedArray<byte>(bodyLength, pinned: true);
                var record = new EventRecord(id, body, new PackedHeaders(new string?[16], new byte[120]));
                entries.Add(id, new Entry(record));
                string key = string.Concat(id, "/PushHandler");
                keys.Add(key, new KeyEntry(key, n));
            }

            if (n % Report == 0)
            {
                TimeSpan wall = clock.Elapsed;
                TimeSpan pause = GC.GetTotalPauseDuration();
                int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
                await Console.Out.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{n,9:N0} | {(wall - lastWall).TotalMicroseconds / Report,8:F2} | {(pause - lastPause).TotalMicroseconds / Report,17:F2} | {collections[0] - lastCollections[0],6}/{collections[1] - lastCollections[1]}/{collections[2] - lastCollections[2]} | {GC.GetTotalMemory(false) >> 20,7}")).ConfigureAwait(false);
                (lastWall, lastPause, lastCollections) = (wall, pause, collections);
            }
        }

        GC.KeepAlive(entries);
        GC.KeepAlive(keys);
        GC.KeepAlive(slots);
        return 0;
    }

    private readonly record struct Slot(byte[] Record, long Sequence, long DueAt);

    private sealed record PackedHeaders(string?[] Pairs, byte[] Packed);

    private sealed record EventRecord(string Id, byte[] Body, PackedHeaders Headers)
    {
        public long ReceivedAt { get; init; }
    }

    private sealed record Entry(EventRecord Event)
    {
        public long Sequence { get; init; }

        public long DueAt { get; init; }
    }

    private sealed record KeyEntry(string Key, long Token);
}
