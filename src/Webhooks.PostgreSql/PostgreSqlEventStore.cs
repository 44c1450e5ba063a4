using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using NpgsqlTypes;
using Webhooks.Storage;

namespace Webhooks.PostgreSql;

/// <summary>
/// An <see cref="IWebhookEventStore"/> in PostgreSQL, shared by every receiver process: each transition is one statement (or
/// one function call) guarded by the claim's fencing token from a sequence; claims take due events with
/// <c>FOR UPDATE SKIP LOCKED</c> ordered by due time; due times and leases are on the database's clock; counts come from a
/// counter table kept by a trigger; processed events past the retention are deleted in bounded batches.
/// </summary>
/// <remarks>Bodies are kept byte-exact (<c>bytea</c>). Create the tables with <see cref="WebhookPostgreSqlSchema.MigrateAsync"/> first.</remarks>
public sealed class PostgreSqlEventStore : IWebhookEventStore
{
    private const string Columns = "id, source, event_type, received_at, status, attempts, due_at, last_error, completed_at, replay_count, generation, unhandled, length(body)";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _s;
    private readonly TimeSpan _retention;
    private readonly long? _maxEvents;
    private readonly long? _maxBytes;
    private long _lastPurge;

    /// <summary>Creates a store on a migrated schema.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="schema">The schema the tables are in; <c>webhooks</c> by default.</param>
    /// <param name="processedRetention">How long processed events are remembered as duplicates; 72 hours by default.</param>
    /// <param name="maxEvents">The most events held (dead ones aside); no limit when <see langword="null"/>.</param>
    /// <param name="maxBytes">The most bytes those events take; no limit when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid schema name.</exception>
    public PostgreSqlEventStore(NpgsqlDataSource dataSource, string schema = WebhookPostgreSqlSchema.DefaultSchema, TimeSpan? processedRetention = null, long? maxEvents = null, long? maxBytes = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        WebhookPostgreSqlSchema.ValidateName(schema);
        _dataSource = dataSource;
        _s = schema;
        _retention = processedRetention ?? TimeSpan.FromHours(72);
        _maxEvents = maxEvents;
        _maxBytes = maxBytes;
    }

    /// <summary>Gets or sets a clock that replaces the database's, for tests; <see langword="null"/> (the default) for the database's.</summary>
    internal TimeProvider? TestClock { get; set; }

    /// <inheritdoc />
    public async ValueTask<WebhookAppendResult> AppendAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        byte[] headers = WebhookHeaderEncoding.Encode(webhookEvent.Headers);
        byte[]? digest = webhookEvent.DeduplicateByBody ? SHA256.HashData(webhookEvent.Body.Span) : null;
        long size = webhookEvent.Body.Length + headers.Length + (2L * (webhookEvent.Id.Length + webhookEvent.Source.Length + webhookEvent.EventType.Length)) + 200;
        int result = await ScalarAsync<int>(
            $"SELECT {_s}.append($2, $3, $4, $5, $6, $7, $8, $9, $10, {Now}, $11, $12, $13)",
            cancellationToken,
            webhookEvent.Id, webhookEvent.Source, webhookEvent.EventType, webhookEvent.ReceivedAt.UtcDateTime, headers, webhookEvent.Body,
            Nullable(digest, NpgsqlDbType.Bytea), Nullable(webhookEvent.TraceParent, NpgsqlDbType.Text), size, _retention, Nullable(_maxEvents, NpgsqlDbType.Bigint), Nullable(_maxBytes, NpgsqlDbType.Bigint)).ConfigureAwait(false);
        return result switch
        {
            0 => WebhookAppendResult.Appended,
            1 => WebhookAppendResult.Duplicate,
            2 => WebhookAppendResult.ConflictingDuplicate,
            _ => throw new WebhookStoreUnavailableException(
                string.Create(CultureInfo.InvariantCulture, $"The PostgreSQL event store is full (limits {_maxEvents?.ToString(CultureInfo.InvariantCulture) ?? "none"} events, {_maxBytes?.ToString(CultureInfo.InvariantCulture) ?? "none"} bytes); it never evicts an event inside its retention.")),
        };
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WebhookClaim>> ClaimAsync(int maxEvents, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);

        // One statement: the due events, oldest first, locked past the ones other claimers hold, each given a new token and lease;
        // an event still processing was interrupted (its lease ended before its attempt did). At most once a second a claim also
        // forgets processed events past the retention, 500 at most: the bounded background delete (appends and reads never wait
        // for it; they skip or forget such events themselves).
        string purge = PurgeDue() ? $"SELECT {_s}.purge((SELECT at FROM clock), $2)" : "SELECT 1";
        string sql = $"""
            WITH clock AS (SELECT {Now} AS at),
            purged AS ({purge}),
            due AS (
              SELECT e.id, e.status AS was, e.due_at AS was_due, e.seq, nextval('{_s}.tokens') AS tok
              FROM (SELECT id, status, due_at, seq FROM {_s}.events
                    WHERE status IN (0, 1, 3) AND due_at <= (SELECT at FROM clock)
                    ORDER BY due_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED) e)
            UPDATE {_s}.events e SET
              interruptions = CASE WHEN d.was = 1 THEN e.interruptions + 1 ELSE 0 END,
              attempts = e.attempts + CASE WHEN d.was <> 1 OR e.interruptions + 1 > {IWebhookEventStore.MaxUncountedInterruptions} THEN 1 ELSE 0 END,
              status = 1,
              token = d.tok,
              due_at = (SELECT at FROM clock) + $4,
              run_handler = CASE WHEN e.run_handler IS NULL OR e.run_until <= (SELECT at FROM clock) THEN '*' ELSE e.run_handler END,
              run_token = CASE WHEN e.run_handler IS NULL OR e.run_until <= (SELECT at FROM clock) THEN d.tok ELSE e.run_token END,
              run_until = CASE WHEN e.run_handler IS NULL OR e.run_until <= (SELECT at FROM clock) THEN (SELECT at FROM clock) + $4 ELSE e.run_until END
            FROM due d, (SELECT count(*) FROM purged) p
            WHERE e.id = d.id
            RETURNING e.id, e.source, e.event_type, e.received_at, e.headers, e.body, e.trace_parent, e.body_digest IS NOT NULL,
              e.attempts, e.interruptions, e.replay_count, e.generation, e.token, e.due_at, coalesce(e.run_token = e.token, false), e.succeeded, d.was_due, d.seq
            """;
        var claims = new List<(DateTime Due, long Seq, WebhookClaim Claim)>();
        await ReadAsync(sql, reader =>
        {
            var claim = new WebhookClaim(ToEvent(reader), reader.GetInt64(12), new DateTimeOffset(reader.GetDateTime(13), TimeSpan.Zero))
            {
                HoldsRun = reader.GetBoolean(14),
                SucceededHandlers = reader.IsDBNull(15) ? [] : reader.GetFieldValue<string[]>(15),
            };
            claims.Add((reader.GetDateTime(16), reader.GetInt64(17), claim));
        }, cancellationToken, _retention, maxEvents, lease).ConfigureAwait(false);

        claims.Sort(static (a, b) => a.Due != b.Due ? a.Due.CompareTo(b.Due) : a.Seq.CompareTo(b.Seq));
        var ordered = new WebhookClaim[claims.Count];
        for (int i = 0; i < ordered.Length; i++)
        {
            ordered[i] = claims[i].Claim;
        }

        return ordered;
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return ChangedAsync(
            $"""
            UPDATE {_s}.events SET due_at = {Now} + $4,
              run_until = CASE WHEN run_handler IS NOT NULL AND run_token = $3 THEN {Now} + $4 ELSE run_until END
            WHERE id = $2 AND status = 1 AND token = $3
            """,
            cancellationToken, id, token, lease);
    }

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(string id, long token, bool unhandled, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return ChangedAsync(
            $"""
            UPDATE {_s}.events SET status = 2, completed_at = {Now}, due_at = NULL, last_error = NULL, unhandled = $4, interruptions = 0,
              succeeded = NULL, run_handler = NULL, run_token = NULL, run_until = NULL
            WHERE id = $2 AND status = 1 AND token = $3
            """,
            cancellationToken, id, token, unhandled);
    }

    /// <inheritdoc />
    public ValueTask<bool> FailAsync(string id, long token, string lastError, TimeSpan? retryDelay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(lastError);
        return retryDelay is { } delay
            ? ChangedAsync(
                $"UPDATE {_s}.events SET status = 3, last_error = $4, due_at = {Now} + $5 WHERE id = $2 AND status = 1 AND token = $3",
                cancellationToken, id, token, lastError, delay < TimeSpan.Zero ? TimeSpan.Zero : delay)
            : ChangedAsync(
                $"UPDATE {_s}.events SET status = 4, last_error = $4, due_at = NULL, completed_at = {Now} WHERE id = $2 AND status = 1 AND token = $3",
                cancellationToken, id, token, lastError);
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(string id, long token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return GiveBackAsync(id, token, TimeSpan.Zero, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeferAsync(string id, long token, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return GiveBackAsync(id, token, delay, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookHandlerBeginResult> BeginHandlerAsync(string id, long token, string handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(handler);
        int result = await ScalarAsync<int>($"SELECT {_s}.begin_handler($2, $3, $4, {Now})", cancellationToken, id, token, handler).ConfigureAwait(false);
        return result switch
        {
            0 => WebhookHandlerBeginResult.Started,
            1 => WebhookHandlerBeginResult.AlreadySucceeded,
            2 => WebhookHandlerBeginResult.Busy,
            _ => WebhookHandlerBeginResult.LeaseLost,
        };
    }

    /// <inheritdoc />
    public ValueTask<bool> EndHandlerAsync(string id, long token, string handler, bool succeeded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(handler);
        return ChangedAsync(
            $"""
            UPDATE {_s}.events SET run_handler = NULL, run_token = NULL, run_until = NULL,
              succeeded = CASE WHEN $5 AND NOT ($4 = ANY (coalesce(succeeded, ARRAY[]::text[]))) THEN array_append(coalesce(succeeded, ARRAY[]::text[]), $4) ELSE succeeded END
            WHERE id = $2 AND run_handler IS NOT NULL AND run_token = $3
            """,
            cancellationToken, id, token, handler, succeeded);
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewHandlerAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return ChangedAsync(
            $"UPDATE {_s}.events SET run_until = {Now} + $4 WHERE id = $2 AND run_handler IS NOT NULL AND run_token = $3",
            cancellationToken, id, token, lease);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookEventSummary?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        WebhookEventSummary? summary = null;
        await ReadAsync($"SELECT {Columns} FROM {_s}.events WHERE id = $2 AND {Kept(3)}", reader => summary = Summarize(reader), cancellationToken, id, _retention).ConfigureAwait(false);
        return summary;
    }

    /// <inheritdoc />
    public async ValueTask<WebhookEvent?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        WebhookEvent? found = null;
        await ReadAsync(
            $"SELECT id, source, event_type, received_at, headers, body, trace_parent, body_digest IS NOT NULL, attempts, interruptions, replay_count, generation FROM {_s}.events WHERE id = $2 AND {Kept(3)}", reader => found = ToEvent(reader),
            cancellationToken, id, _retention).ConfigureAwait(false);
        return found;
    }

    /// <inheritdoc />
    public async ValueTask<WebhookEventPage> ListAsync(WebhookEventStatus? status, int limit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        long before = long.MaxValue;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out before) || before < 1))
        {
            throw new ArgumentException("The cursor is not one this store issued.", nameof(cursor));
        }

        var items = new List<WebhookEventSummary>();
        long last = 0;
        string? next = null;
        string filter = status is { } s ? "status = " + ((int)s).ToString(CultureInfo.InvariantCulture) + " AND " : "";
        await ReadAsync(
            $"SELECT {Columns}, seq FROM {_s}.events WHERE {filter}seq < $3 AND {Kept(2)} ORDER BY seq DESC LIMIT $4", reader =>
            {
                if (items.Count == limit)
                {
                    next = last.ToString(CultureInfo.InvariantCulture);
                    return;
                }

                items.Add(Summarize(reader));
                last = reader.GetInt64(13);
            },
            cancellationToken, _retention, before, limit + 1).ConfigureAwait(false);
        return new WebhookEventPage(items, next);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookEventCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        long[] counts = new long[5];
        DateTimeOffset? oldestDue = null;
        await ReadAsync(
            $"""
            WITH purged AS (SELECT {_s}.purge({Now}, $2))
            SELECT status, sum(n), (SELECT min(due_at) FROM {_s}.events WHERE status IN (0, 1, 3) AND due_at <= {Now})
            FROM {_s}.counts, (SELECT count(*) FROM purged) p GROUP BY status
            """, reader =>
            {
                counts[reader.GetInt16(0)] = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
                oldestDue = reader.IsDBNull(2) ? null : new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero);
            },
            cancellationToken, _retention).ConfigureAwait(false);
        return new WebhookEventCounts
        {
            Queued = counts[0],
            Processing = counts[1],
            Processed = counts[2],
            Failed = counts[3],
            Dead = counts[4],
            OldestDueAt = oldestDue,
        };
    }

    /// <inheritdoc />
    public async ValueTask<WebhookReplayResult> ReplayAsync(string id, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        int result = -1;
        await ReadAsync(
            $"""
            WITH current AS (SELECT id, status FROM {_s}.events WHERE id = $2 AND {Kept(3)} FOR UPDATE),
            replayed AS (
              UPDATE {_s}.events e SET status = 0, attempts = 0, last_error = NULL, completed_at = NULL, unhandled = false,
                replay_count = e.replay_count + 1, interruptions = 0, due_at = {Now},
                generation = e.generation + CASE WHEN $4 THEN 1 ELSE 0 END,
                succeeded = CASE WHEN $4 THEN NULL ELSE e.succeeded END
              FROM current c WHERE e.id = c.id AND (c.status IN (3, 4) OR (c.status = 2 AND $4))
              RETURNING 1)
            SELECT (SELECT status FROM current), EXISTS (SELECT 1 FROM replayed)
            """, reader => result = reader.IsDBNull(0) ? -1 : reader.GetBoolean(1) ? 9 : reader.GetInt16(0),
            cancellationToken, id, _retention, force).ConfigureAwait(false);
        return result switch
        {
            -1 => WebhookReplayResult.NotFound,
            9 => WebhookReplayResult.Queued,
            0 or 1 => WebhookReplayResult.AlreadyPending,
            _ => WebhookReplayResult.AlreadyProcessed,
        };
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return ChangedAsync($"DELETE FROM {_s}.events WHERE id = $2", cancellationToken, id);
    }

    /// <summary>Whether this claim should purge: at most once a second of the store's clock per process.</summary>
    private bool PurgeDue()
    {
        long now = (TestClock ?? TimeProvider.System).GetUtcNow().UtcTicks;
        long last = Interlocked.Read(ref _lastPurge);
        return now - last >= TimeSpan.TicksPerSecond && Interlocked.CompareExchange(ref _lastPurge, now, last) == last;
    }

    /// <summary>The time: <c>$1</c> when a test clock is set, else the database's own.</summary>
    private static string Now => "coalesce($1::timestamptz, clock_timestamp())";

    /// <summary>Leaves out processed events past the retention, whose value is parameter <c>$n</c> (the purge removes them in batches).</summary>
    private static string Kept(int n) => "NOT (status = 2 AND completed_at < " + Now + " - $" + n.ToString(CultureInfo.InvariantCulture) + ")";

    private ValueTask<bool> GiveBackAsync(string id, long token, TimeSpan delay, CancellationToken cancellationToken) => ChangedAsync(
        $"""
        UPDATE {_s}.events SET status = 0, attempts = attempts - 1, due_at = {Now} + $4,
          run_handler = CASE WHEN run_token = $3 THEN NULL ELSE run_handler END,
          run_until = CASE WHEN run_token = $3 THEN NULL ELSE run_until END,
          run_token = CASE WHEN run_token = $3 THEN NULL ELSE run_token END
        WHERE id = $2 AND status = 1 AND token = $3
        """,
        cancellationToken, id, token, delay);

    /// <summary>An event from its first twelve columns: id, source, type, arrival, headers, body, traceparent, deduplicated by body, attempts, interruptions, replays, generation.</summary>
    private static WebhookEvent ToEvent(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Source = reader.GetString(1),
        EventType = reader.GetString(2),
        ReceivedAt = new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero),
        Headers = WebhookHeaderEncoding.Decode(reader.GetFieldValue<byte[]>(4)),
        Body = reader.GetFieldValue<byte[]>(5),
        TraceParent = reader.IsDBNull(6) ? null : reader.GetString(6),
        DeduplicateByBody = reader.GetBoolean(7),
        Attempts = reader.GetInt32(8),
        Interruptions = reader.GetInt32(9),
        ReplayCount = reader.GetInt32(10),
        Generation = reader.GetInt32(11),
    };

    private static WebhookEventSummary Summarize(NpgsqlDataReader reader)
    {
        var status = (WebhookEventStatus)reader.GetInt16(4);
        DateTimeOffset? due = reader.IsDBNull(6) ? null : new DateTimeOffset(reader.GetDateTime(6), TimeSpan.Zero);
        return new WebhookEventSummary
        {
            Id = reader.GetString(0),
            Source = reader.GetString(1),
            EventType = reader.GetString(2),
            ReceivedAt = new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero),
            Status = status,
            Attempts = reader.GetInt32(5),
            NextAttemptAt = status == WebhookEventStatus.Failed ? due : null,
            LeaseExpiresAt = status == WebhookEventStatus.Processing ? due : null,
            LastError = reader.IsDBNull(7) ? null : reader.GetString(7),
            CompletedAt = reader.IsDBNull(8) ? null : new DateTimeOffset(reader.GetDateTime(8), TimeSpan.Zero),
            ReplayCount = reader.GetInt32(9),
            Generation = reader.GetInt32(10),
            Unhandled = reader.GetBoolean(11),
            BodyLength = reader.GetInt32(12),
        };
    }

    private static NpgsqlParameter Nullable(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    /// <summary>Runs a statement whose first parameter is the clock; <see langword="true"/> when it changed a row.</summary>
    private async ValueTask<bool> ChangedAsync(string sql, CancellationToken cancellationToken, params object?[] values)
    {
        using NpgsqlCommand command = Command(sql, values);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception ex) when (PostgreSqlFailures.IsUnavailable(ex, cancellationToken))
        {
            throw PostgreSqlFailures.Unavailable(ex);
        }
    }

    private async ValueTask<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params object?[] values)
    {
        using NpgsqlCommand command = Command(sql, values);
        try
        {
            return (T)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception ex) when (PostgreSqlFailures.IsUnavailable(ex, cancellationToken))
        {
            throw PostgreSqlFailures.Unavailable(ex);
        }
    }

    private async ValueTask ReadAsync(string sql, Action<NpgsqlDataReader> row, CancellationToken cancellationToken, params object?[] values)
    {
        using NpgsqlCommand command = Command(sql, values);
        try
        {
            NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                row(reader);
            }
        }
        catch (Exception ex) when (PostgreSqlFailures.IsUnavailable(ex, cancellationToken))
        {
            throw PostgreSqlFailures.Unavailable(ex);
        }
    }

    /// <summary>A command whose <c>$1</c> is the test clock's time (or null for the database's) and <c>$2…</c> the values.</summary>
    private NpgsqlCommand Command(string sql, object?[] values)
    {
        NpgsqlCommand command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = TestClock is { } clock ? clock.GetUtcNow().UtcDateTime : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        foreach (object? value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value switch
            {
                null => DBNull.Value,
                _ => value,
            } });
        }

        return command;
    }
}
