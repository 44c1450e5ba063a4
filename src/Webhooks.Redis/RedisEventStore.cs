using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Webhooks.Storage;

namespace Webhooks.Redis;

/// <summary>
/// An <see cref="IWebhookEventStore"/> in Redis, shared by every receiver process. Each transition is one Lua script on the keys of the
/// event's partition (one hash slot, so the data spreads over a Redis Cluster); due-ness and leases are measured by the server's
/// clock (<c>TIME</c>) and fencing tokens come from <c>INCR</c>, so no host's clock matters. Bodies are stored as binary values,
/// byte for byte. Processed events are forgotten after the retention span; dead ones stay until replayed or deleted.
/// </summary>
/// <remarks>
/// GitHub's body-digest deduplication spans partitions (a digest and an id live in different slots), so it takes two steps: the
/// digest's index entry is taken for this append (its id and a nonce new to the append) on the digest's partition, then the
/// event is appended on its own. <b>The append is the commit point.</b> A delivery that finds the entry held by another append
/// asks that append's partition, in one script, whether its event is stored with this digest (then it is a duplicate), and if it
/// is not stored, fences that append off before taking the entry over: the fenced append is refused and starts again, finding
/// the new holder. So whichever slots the digest and the ids live in, a body is stored under one id only, and a process that dies
/// between the steps leaves an entry that the next delivery of the body takes over. Because each entry names one append, the
/// removal of a forgotten event's entry never removes the entry of a later append of the same id.
/// Appends that arrive while one is being sent to the same partition are sent together, in one script that appends them in order.
/// </remarks>
public sealed partial class RedisEventStore : IWebhookEventStore
{
    /// <summary>Each partition's keys, in the order every script takes them (see <see cref="RedisEventScripts"/>).</summary>
    private static readonly string[] PartitionKeyNames =
        ["due", "forgotten", "expiry", "intake", "token", "status:0", "status:1", "status:2", "status:3", "status:4"];

    /// <summary>How many times an append starts again when other deliveries of its body contend for its digest.</summary>
    private const int MaxDigestRounds = 8;

    /// <summary>The hex digits of a digest index entry's nonce.</summary>
    private const int NonceLength = 16;

    private readonly RedisConnection _connection;
    private readonly long _retentionMilliseconds;
    private readonly long _maxEventsPerPartition;
    private readonly long _maxBytesPerPartition;
    private readonly RedisKey[][] _partitionKeys;
    private readonly RedisValue[] _eventPrefixes;
    private readonly AppendBatcher _appends;
    private readonly WriteBatcher _writes;

    /// <summary>Creates a store over a connection the application made, outside dependency injection.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="options">The key prefix and partitions; the defaults when <see langword="null"/>. The connection settings in it are not used.</param>
    /// <param name="processedRetention">How long processed events are remembered; 72 hours when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options' key prefix or partition count is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="processedRetention"/> is not more than zero.</exception>
    public RedisEventStore(IConnectionMultiplexer connection, WebhookRedisOptions? options = null, TimeSpan? processedRetention = null)
        : this(
            new RedisConnection(WebhookRedisOptionsSetup.LayoutOf(options ?? new WebhookRedisOptions()), connection ?? throw new ArgumentNullException(nameof(connection))),
            processedRetention is { } retention && retention <= TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(processedRetention)) : processedRetention ?? WebhookReceiverOptions.DefaultProcessedRetention)
    {
    }

    internal RedisEventStore(RedisConnection connection, TimeSpan processedRetention, long? maxEvents = null, long? maxBytes = null)
    {
        _connection = connection;
        _retentionMilliseconds = (long)processedRetention.TotalMilliseconds;
        RedisKeys keys = connection.Keys;
        _maxEventsPerPartition = maxEvents is { } events ? Math.Max(1, (events + keys.Partitions - 1) / keys.Partitions) : 0;
        _maxBytesPerPartition = maxBytes is { } bytes ? Math.Max(1, (bytes + keys.Partitions - 1) / keys.Partitions) : 0;
        _partitionKeys = new RedisKey[keys.Partitions][];
        _eventPrefixes = new RedisValue[keys.Partitions];
        _appends = new AppendBatcher(this);
        _writes = new WriteBatcher(this);
        for (int p = 0; p < keys.Partitions; p++)
        {
            // Held as bytes: every script sends a partition's ten keys and its event key prefix, encoded once here.
            _partitionKeys[p] = new RedisKey[PartitionKeyNames.Length];
            for (int k = 0; k < PartitionKeyNames.Length; k++)
            {
                _partitionKeys[p][k] = Encoding.UTF8.GetBytes((string)keys.Key(p, PartitionKeyNames[k])!);
            }

            _eventPrefixes[p] = Encoding.UTF8.GetBytes((string)keys.Key(p, "evt:")!);
        }
    }

    /// <summary>Gets or sets a clock that replaces the server's, for tests of time; <see langword="null"/> (the server's clock) in use.</summary>
    internal TimeProvider? TestClock { get; set; }

    /// <inheritdoc />
    public async ValueTask<WebhookAppendResult> AppendAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        int partition = _connection.Keys.PartitionOf(webhookEvent.Id);
        string digestHex = webhookEvent.DeduplicateByBody ? Convert.ToHexStringLower(SHA256.HashData(webhookEvent.Body.Span)) : "";
        RedisValue headers = WebhookHeaderEncoding.Encode(webhookEvent.Headers);
        RedisValue meta = RedisEventMeta.Encode(webhookEvent);
        for (int round = 0; round < MaxDigestRounds; round++)
        {
            string digestEntry = "";
            if (webhookEvent.DeduplicateByBody)
            {
                // Step 1: hold the digest for this append (a new nonce each time), or find the stored event that holds it.
                string nonce = NewNonce();
                digestEntry = digestHex + "|" + nonce;
                if (!await HoldDigestAsync(digestHex, nonce + "|" + webhookEvent.Id, cancellationToken).ConfigureAwait(false))
                {
                    return WebhookAppendResult.Duplicate;
                }
            }

            // Step 2, the commit point: the event itself, in the next batch of appends.
            RedisValue[] values = [webhookEvent.Id, webhookEvent.Body, headers, meta, digestEntry, SizeOf(webhookEvent)];
            int result = await _appends.SendAsync(partition, values, webhookEvent.Body.Length, cancellationToken).ConfigureAwait(false);
            switch (result)
            {
                case 0:
                    return WebhookAppendResult.Appended;
                case 1:
                    return WebhookAppendResult.Duplicate;
                case 2:
                    return WebhookAppendResult.ConflictingDuplicate;
                case 3:
                    throw new WebhookStoreUnavailableException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"The Redis event store is full (partition {partition}: at most {_maxEventsPerPartition} events and {_maxBytesPerPartition} bytes); it never evicts an event inside its retention."));
            }

            // 4: fenced off by another delivery of the same body, which took the digest over while this append was on its way:
            // start again, and find that delivery's event.
        }

        throw DigestContention();
    }

    /// <summary>
    /// Holds the body digest's index entry for one append (<paramref name="holder"/>, <c>&lt;nonce&gt;|&lt;id&gt;</c>); returns
    /// <see langword="false"/> when a stored event holds it (a duplicate). A holder whose event is not stored (forgotten, deleted,
    /// never stored because its process died, or still on its way) is fenced off on its own partition before the entry is taken
    /// over, so that its append cannot land afterwards: at most one event of a body is ever stored.
    /// </summary>
    private async Task<bool> HoldDigestAsync(string digestHex, string holder, CancellationToken cancellationToken)
    {
        RedisKey digestKey = DigestKey(digestHex);
        string replacing = "";
        for (int round = 0; round < MaxDigestRounds; round++)
        {
            string held = (string)(await EvaluateAsync(RedisEventScripts.ClaimDigest, [digestKey], [holder, replacing], cancellationToken).ConfigureAwait(false))!;
            if (string.Equals(held, holder, StringComparison.Ordinal))
            {
                return true;
            }

            // An entry of an earlier version names only the id, and the event's digest entry is the digest alone.
            (string id, string entry) = IsNonced(held) ? (held[(NonceLength + 1)..], digestHex + "|" + held[..NonceLength]) : (held, digestHex);
            if ((int)await RunAsync(id, RedisEventScripts.FenceOrHolds, [id, entry], cancellationToken).ConfigureAwait(false) == 1)
            {
                return false;
            }

            replacing = held;
        }

        throw DigestContention();
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WebhookClaim>> ClaimAsync(int maxEvents, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);

        // Round trip 1: the earliest due events of every partition, to choose how many to take from each (oldest due first over
        // all of them). Round trip 2: each chosen partition claims that many of its due events in one script. When other workers
        // took some meanwhile, another round looks again, so that a caller is not sent away empty while events are due.
        // Claims are always handed over or given back: once claim scripts are sent, cancellation waits for their answers (they
        // cannot be taken back) and then releases what they took; a partition that fails gives back what the others took.
        var claims = new List<(double Due, WebhookClaim Claim)>();
        long leaseMilliseconds = (long)Math.Ceiling(lease.TotalMilliseconds);
        for (int round = 0; round < 4 && claims.Count < maxEvents; round++)
        {
            int wanted = maxEvents - claims.Count;
            int[] perPartition;
            try
            {
                perPartition = await ChooseAsync(wanted, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (claims.Count > 0)
            {
                // Hand over what earlier rounds took.
                break;
            }

            var claiming = new List<Task<RedisResult>>();
            for (int p = 0; p < perPartition.Length; p++)
            {
                if (perPartition[p] > 0)
                {
                    claiming.Add(RunAsync(p, RedisEventScripts.Claim, [leaseMilliseconds, perPartition[p], perPartition.Length, p], CancellationToken.None));
                }
            }

            if (claiming.Count == 0)
            {
                break;
            }

            int before = claims.Count;
            Exception? failure = null;
            foreach (Task<RedisResult> task in claiming)
            {
                try
                {
                    AddClaims(claims, await task.ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failure ??= ex;
                }
            }

            if (failure is not null || cancellationToken.IsCancellationRequested)
            {
                await GiveBackAsync(claims).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                ExceptionDispatchInfo.Throw(failure!);
            }

            // All taken, or none due (the lowest due times are in the future): done. Some taken and some lost to other
            // workers: look again.
            if (claims.Count == before || claims.Count - before == wanted)
            {
                break;
            }
        }

        return Sorted(claims);
    }

    /// <summary>Reads the claims of a claim script's reply (see <see cref="RedisEventScripts.Claim"/>).</summary>
    private static void AddClaims(List<(double Due, WebhookClaim Claim)> claims, RedisResult reply)
    {
        foreach (RedisResult item in (RedisResult[])reply!)
        {
            var f = (RedisResult[])item!;
            WebhookEvent claimed = ToEvent((string)f[0]!, f[4], f[5], f[6], f[7], attempts: (int)f[2], replays: f[8], generation: f[9]) with { Interruptions = (int)f[11] };
            claims.Add(((double)f[10], new WebhookClaim(claimed, (long)f[1], FromMilliseconds((long)f[3]))
            {
                HoldsRun = (int)f[12] == 1,
                SucceededHandlers = SucceededOf((string?)f[13]),
            }));
        }
    }

    /// <summary>The claims, earliest due first (then by id).</summary>
    private static WebhookClaim[] Sorted(List<(double Due, WebhookClaim Claim)> claims)
    {
        claims.Sort(static (a, b) => a.Due != b.Due ? a.Due.CompareTo(b.Due) : string.CompareOrdinal(a.Claim.Event.Id, b.Claim.Event.Id));
        var result = new WebhookClaim[claims.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = claims[i].Claim;
        }

        return result;
    }

    /// <summary>Releases claims that cannot be handed over (the caller stopped waiting, or another partition failed); a release that fails leaves its claim to expire.</summary>
    private async Task GiveBackAsync(List<(double Due, WebhookClaim Claim)> claims)
    {
        var releasing = new Task[claims.Count];
        for (int i = 0; i < claims.Count; i++)
        {
            releasing[i] = ReleaseAsync(claims[i].Claim.Event.Id, claims[i].Claim.Token, CancellationToken.None).AsTask();
        }

        try
        {
            await Task.WhenAll(releasing).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The claims that could not be released expire after their lease and are taken over, not counted.
        }
    }

    /// <summary>How many events to claim from each partition: the <paramref name="wanted"/> earliest due over all of them.</summary>
    private async Task<int[]> ChooseAsync(int wanted, CancellationToken cancellationToken)
    {
        // The lowest due times of every partition, read with plain commands sent together (no script, no clock): the claim
        // scripts check against the server's clock which of the chosen are due, so a look that includes future ones is harmless.
        int partitions = _partitionKeys.Length;
        IDatabase database;
        try
        {
            database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            throw new WebhookStoreUnavailableException("The Redis event store is unavailable: " + ex.Message, ex);
        }

        var peeks = new Task<SortedSetEntry[]>[partitions];
        for (int p = 0; p < partitions; p++)
        {
            peeks[p] = database.SortedSetRangeByRankWithScoresAsync(_partitionKeys[p][0], 0, wanted - 1);
        }

        var candidates = new List<(double Due, string Id, int Partition)>();
        for (int p = 0; p < partitions; p++)
        {
            SortedSetEntry[] due;
            try
            {
                due = await peeks[p].WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
            {
                throw new WebhookStoreUnavailableException("The Redis event store is unavailable: " + ex.Message, ex);
            }

            foreach (SortedSetEntry entry in due)
            {
                candidates.Add((entry.Score, (string)entry.Element!, p));
            }
        }

        candidates.Sort(static (a, b) => a.Due != b.Due ? a.Due.CompareTo(b.Due) : string.CompareOrdinal(a.Id, b.Id));
        var perPartition = new int[partitions];
        for (int i = 0; i < candidates.Count && i < wanted; i++)
        {
            perPartition[candidates[i].Partition]++;
        }

        return perPartition;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RenewAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return (int)await RunAsync(id, RedisEventScripts.Renew, [id, token, (long)Math.Ceiling(lease.TotalMilliseconds)], cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> CompleteAsync(string id, long token, bool unhandled, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return await WriteAsync(id, ["c", id, token, unhandled ? 1 : 0, RedisValue.EmptyString], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> FailAsync(string id, long token, string lastError, TimeSpan? retryDelay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(lastError);
        long delay = retryDelay is { } d ? Math.Max(0, (long)Math.Ceiling(d.TotalMilliseconds)) : -1;
        return await WriteAsync(id, ["f", id, token, lastError, delay], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(string id, long token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return GiveBackAsync(id, token, 0, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeferAsync(string id, long token, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return GiveBackAsync(id, token, (long)Math.Ceiling(delay.TotalMilliseconds), cancellationToken);
    }

    /// <summary>Release and defer: queued again after <paramref name="delayMilliseconds"/>, uncounted, the claim's run let go.</summary>
    private ValueTask<bool> GiveBackAsync(string id, long token, long delayMilliseconds, CancellationToken cancellationToken) =>
        WriteAsync(id, ["g", id, token, delayMilliseconds, RedisValue.EmptyString], cancellationToken);

    /// <inheritdoc />
    public async ValueTask<WebhookHandlerBeginResult> BeginHandlerAsync(string id, long token, string handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(handler);
        return (int)await RunAsync(id, RedisEventScripts.BeginHandler, [id, token, handler], cancellationToken).ConfigureAwait(false) switch
        {
            0 => WebhookHandlerBeginResult.Started,
            1 => WebhookHandlerBeginResult.AlreadySucceeded,
            2 => WebhookHandlerBeginResult.Busy,
            _ => WebhookHandlerBeginResult.LeaseLost,
        };
    }

    /// <inheritdoc />
    public async ValueTask<bool> EndHandlerAsync(string id, long token, string handler, bool succeeded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(handler);
        return await WriteAsync(id, ["e", id, token, handler, succeeded ? 1 : 0], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RenewHandlerAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return (int)await RunAsync(id, RedisEventScripts.RenewHandler, [id, token, (long)Math.Ceiling(lease.TotalMilliseconds)], cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<WebhookEventSummary?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        RedisResult result = await RunAsync(id, RedisEventScripts.Get, [id], cancellationToken).ConfigureAwait(false);
        return result.IsNull ? null : ToSummary(id, (RedisResult[])result!);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookEvent?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        RedisResult result = await RunAsync(id, RedisEventScripts.Read, [id], cancellationToken).ConfigureAwait(false);
        if (result.IsNull)
        {
            return null;
        }

        var f = (RedisResult[])result!;
        return ToEvent(id, f[0], f[1], f[2], f[3], attempts: (int)NumberOr(f[4], 0), replays: f[5], generation: f[6]);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookEventPage> ListAsync(WebhookEventStatus? status, int limit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        double afterScore = -1;
        string afterId = "";
        if (cursor is not null)
        {
            int bar = cursor.IndexOf('|', StringComparison.Ordinal);
            if (bar <= 0 || !double.TryParse(cursor.AsSpan(0, bar), NumberStyles.Float, CultureInfo.InvariantCulture, out afterScore) || afterScore < 0)
            {
                throw new ArgumentException("The cursor is not one this store issued.", nameof(cursor));
            }

            afterId = cursor[(bar + 1)..];
        }

        int partitions = _partitionKeys.Length;
        var pages = new Task<RedisResult>[partitions];
        for (int p = 0; p < partitions; p++)
        {
            pages[p] = RunAsync(p, RedisEventScripts.List, [status is { } s ? (int)s : -1, afterScore, afterId, limit + 1], cancellationToken);
        }

        var items = new List<(double Arrival, WebhookEventSummary Summary)>();
        for (int p = 0; p < partitions; p++)
        {
            foreach (RedisResult row in (RedisResult[])(await pages[p].ConfigureAwait(false))!)
            {
                var r = (RedisResult[])row!;
                string id = (string)r[0]!;
                items.Add(((double)r[1], ToSummary(id, (RedisResult[])r[2]!)));
            }
        }

        items.Sort(static (a, b) => a.Arrival != b.Arrival ? b.Arrival.CompareTo(a.Arrival) : string.CompareOrdinal(b.Summary.Id, a.Summary.Id));
        var page = new List<WebhookEventSummary>(Math.Min(limit, items.Count));
        for (int i = 0; i < items.Count && i < limit; i++)
        {
            page.Add(items[i].Summary);
        }

        string? next = items.Count > limit
            ? items[limit - 1].Arrival.ToString("R", CultureInfo.InvariantCulture) + "|" + items[limit - 1].Summary.Id
            : null;
        return new WebhookEventPage(page, next);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookEventCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        int partitions = _partitionKeys.Length;
        var counts = new Task<RedisResult>[partitions];
        for (int p = 0; p < partitions; p++)
        {
            counts[p] = RunAsync(p, RedisEventScripts.Count, [], cancellationToken);
        }

        long queued = 0, processing = 0, processed = 0, failed = 0, dead = 0;
        double oldest = double.MaxValue;
        for (int p = 0; p < partitions; p++)
        {
            var r = (RedisResult[])(await counts[p].ConfigureAwait(false))!;
            queued += (long)r[0];
            processing += (long)r[1];
            processed += (long)r[2];
            failed += (long)r[3];
            dead += (long)r[4];
            double due = (double)r[5];
            if (due >= 0 && due < oldest)
            {
                oldest = due;
            }
        }

        return new WebhookEventCounts
        {
            Queued = queued,
            Processing = processing,
            Processed = processed,
            Failed = failed,
            Dead = dead,
            OldestDueAt = oldest == double.MaxValue ? null : FromMilliseconds((long)oldest),
        };
    }

    /// <inheritdoc />
    public async ValueTask<WebhookReplayResult> ReplayAsync(string id, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return (int)await RunAsync(id, RedisEventScripts.Replay, [id, force ? 1 : 0], cancellationToken).ConfigureAwait(false) switch
        {
            0 => WebhookReplayResult.Queued,
            1 => WebhookReplayResult.NotFound,
            2 => WebhookReplayResult.AlreadyProcessed,
            _ => WebhookReplayResult.AlreadyPending,
        };
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        RedisResult deleted = await RunAsync(id, RedisEventScripts.Delete, [id], cancellationToken).ConfigureAwait(false);
        if (deleted.Resp2Type == ResultType.Integer)
        {
            return (int)deleted == 1;
        }

        // Its own digest index entry, at once (also queued, for the next tidy if this process stops first).
        await ForgetDigestAsync((string)deleted!, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Removes one <c>digest|nonce|id</c> index entry, if the digest's entry still names that append (nonce and id).</summary>
    private async Task ForgetDigestAsync(string entry, CancellationToken cancellationToken)
    {
        int bar = entry.IndexOf('|', StringComparison.Ordinal);
        if (bar > 0)
        {
            await EvaluateAsync(RedisEventScripts.ForgetDigest, [DigestKey(entry[..bar])], [entry[(bar + 1)..]], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deliveries of one body kept fencing each other off for every round: the sender is told to try again later.</summary>
    private static WebhookStoreUnavailableException DigestContention() => new(string.Create(
        CultureInfo.InvariantCulture,
        $"The Redis event store could not settle which of several deliveries of the same body to keep within {MaxDigestRounds} rounds; send it again."));

    private static string NewNonce()
    {
        Span<byte> random = stackalloc byte[NonceLength / 2];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }

    /// <summary>Whether a digest index value is <c>&lt;nonce&gt;|&lt;id&gt;</c> (an id starts with a source name and a colon, never with 16 hex digits and a bar).</summary>
    private static bool IsNonced(string held)
    {
        if (held.Length <= NonceLength || held[NonceLength] != '|')
        {
            return false;
        }

        foreach (char c in held.AsSpan(0, NonceLength))
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private RedisKey DigestKey(string digestHex)
    {
        RedisKeys keys = _connection.Keys;
        return keys.Key(keys.PartitionOf("digest:" + digestHex), "digest:" + digestHex);
    }

    private Task<RedisResult> RunAsync(string id, RedisScript script, RedisValue[] values, CancellationToken cancellationToken) =>
        RunAsync(_connection.Keys.PartitionOf(id), script, values, cancellationToken);

    private Task<RedisResult> RunAsync(int partition, RedisScript script, RedisValue[] values, CancellationToken cancellationToken)
    {
        var all = new RedisValue[values.Length + 3];
        all[0] = TestClock is { } clock ? clock.GetUtcNow().ToUnixTimeMilliseconds() : -1;
        all[1] = _eventPrefixes[partition];
        all[2] = _retentionMilliseconds;
        values.CopyTo(all, 3);
        return EvaluateAsync(script, _partitionKeys[partition], all, cancellationToken);
    }

    private async Task<RedisResult> EvaluateAsync(RedisScript script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            IDatabase database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);

            // A command that was sent cannot be taken back: cancellation stops the wait, and fencing tokens keep a late effect harmless.
            return await script.EvaluateAsync(database, keys, values).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            throw new WebhookStoreUnavailableException("The Redis event store is unavailable: " + ex.Message, ex);
        }
    }

    private static long SizeOf(WebhookEvent webhookEvent) =>
        webhookEvent.Body.Length + (2L * (webhookEvent.Id.Length + webhookEvent.Source.Length + webhookEvent.EventType.Length)) + 256;

    /// <summary>The handlers in an event's <c>ok</c> field (each followed by a line feed, after a leading one).</summary>
    private static string[] SucceededOf(string? ok) =>
        string.IsNullOrEmpty(ok) ? [] : ok.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static DateTimeOffset FromMilliseconds(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    /// <summary>A number field, or its first value when the event has not had it written yet (the append leaves those out).</summary>
    private static long NumberOr(RedisResult field, long first) => field.IsNull ? first : (long)field;

    private static WebhookEvent ToEvent(
        string id, RedisResult body, RedisResult headers, RedisResult meta, RedisResult dedupe, int attempts, RedisResult replays, RedisResult generation)
    {
        RedisEventMeta.Fields m = RedisEventMeta.Decode((byte[])meta!);
        return new WebhookEvent
        {
            Id = id,
            Source = m.Source,
            EventType = m.EventType,
            Headers = WebhookHeaderEncoding.Decode((byte[]?)headers),
            Body = (byte[])body! ?? [],
            ReceivedAt = m.ReceivedAt,
            DeduplicateByBody = string.Equals((string?)dedupe, "1", StringComparison.Ordinal),
            TraceParent = m.TraceParent,
            Attempts = attempts,
            ReplayCount = (int)NumberOr(replays, 0),
            Generation = (int)NumberOr(generation, 0),
        };
    }

    // Fields: m, st, att, due, err, done, rep, gen, unh.
    private static WebhookEventSummary ToSummary(string id, RedisResult[] f)
    {
        RedisEventMeta.Fields m = RedisEventMeta.Decode((byte[])f[0]!);
        var status = (WebhookEventStatus)(int)f[1];
        long due = NumberOr(f[3], 0);
        long done = NumberOr(f[5], -1);
        string? error = (string?)f[4];
        return new WebhookEventSummary
        {
            Id = id,
            Source = m.Source,
            EventType = m.EventType,
            ReceivedAt = m.ReceivedAt,
            Status = status,
            Attempts = (int)NumberOr(f[2], 0),
            NextAttemptAt = status == WebhookEventStatus.Failed ? FromMilliseconds(due) : null,
            LeaseExpiresAt = status == WebhookEventStatus.Processing ? FromMilliseconds(due) : null,
            LastError = string.IsNullOrEmpty(error) ? null : error,
            CompletedAt = done >= 0 ? FromMilliseconds(done) : null,
            ReplayCount = (int)NumberOr(f[6], 0),
            Generation = (int)NumberOr(f[7], 0),
            Unhandled = string.Equals((string?)f[8], "1", StringComparison.Ordinal),
            BodyLength = m.BodyLength,
        };
    }
}
