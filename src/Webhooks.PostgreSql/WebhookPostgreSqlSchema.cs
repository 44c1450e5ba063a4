using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Webhooks.PostgreSql;

/// <summary>
/// The tables the PostgreSQL stores use, created by versioned, idempotent migrations: run them at start-up
/// (<see cref="MigrateAsync"/>, what <c>UsePostgreSql()</c> does unless told not to), or take <see cref="GetScript"/> into the
/// application's own migration tool. Each version is applied once, under an advisory lock, so that receivers starting together
/// do not race; <c>schema_version</c> records what is applied.
/// </summary>
public static class WebhookPostgreSqlSchema
{
    /// <summary>The schema version this package reads and writes.</summary>
    public const int Version = 1;

    /// <summary>The schema the tables live in unless configured otherwise.</summary>
    public const string DefaultSchema = "webhooks";

    /// <summary>Gets the whole migration as SQL, for a migration tool of the application's own: idempotent, safe to run again.</summary>
    /// <param name="schema">The schema name: lower-case letters, digits and <c>_</c>, starting with a letter or <c>_</c>.</param>
    /// <returns>The SQL script.</returns>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not such a name.</exception>
    public static string GetScript(string schema = DefaultSchema)
    {
        ValidateName(schema);
        var script = new System.Text.StringBuilder();
        script.Append(Prelude(schema));
        foreach ((int version, string sql) in Migrations(schema))
        {
            script.Append(CultureInfo.InvariantCulture, $"\n-- version {version}\nDO $migration$ BEGIN\nIF NOT EXISTS (SELECT 1 FROM {schema}.schema_version WHERE version = {version}) THEN\n{sql}\nINSERT INTO {schema}.schema_version (version) VALUES ({version});\nEND IF;\nEND $migration$;\n");
        }

        return script.ToString();
    }

    /// <summary>Applies the migrations the database lacks, in one transaction under an advisory lock.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="schema">The schema name.</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>A task that completes when the schema is at <see cref="Version"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a valid name.</exception>
    /// <exception cref="InvalidOperationException">The database holds a newer schema version than this package knows.</exception>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, string schema = DefaultSchema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        string script = GetScript(schema);
        NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable connectionScope = connection.ConfigureAwait(false);
        NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable transactionScope = transaction.ConfigureAwait(false);
        using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = "webhooks-migrate:" + schema });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var command = new NpgsqlCommand(script, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int applied = await ReadVersionAsync(connection, transaction, schema, cancellationToken).ConfigureAwait(false);
        if (applied > Version)
        {
            throw new InvalidOperationException($"The schema '{schema}' is at version {applied}, newer than this package's {Version}: update the package.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The highest applied version, 0 when the schema has none.</summary>
    internal static async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(
            $"SELECT coalesce(max(version), 0) FROM {schema}.schema_version", connection, transaction);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Checks a schema name, which is written into SQL: lower-case letters, digits and underscores, at most 63.</summary>
    internal static void ValidateName(string schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        bool valid = schema.Length <= 63 && (char.IsAsciiLetterLower(schema[0]) || schema[0] == '_');
        foreach (char c in schema)
        {
            valid &= char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_';
        }

        if (!valid)
        {
            throw new ArgumentException($"The schema name '{schema}' may only hold lower-case ASCII letters, digits and '_', start with a letter or '_', and be at most 63 characters.", nameof(schema));
        }
    }

    private static string Prelude(string schema) => $"""
        CREATE SCHEMA IF NOT EXISTS {schema};
        CREATE TABLE IF NOT EXISTS {schema}.schema_version (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());

        """;

    /// <summary>Each version's statements, applied in order; a version once released never changes.</summary>
    private static IEnumerable<(int Version, string Sql)> Migrations(string s)
    {
        // Version 1: events, their counts, idempotency keys, and the functions whose steps must be one statement's.
        // Statuses: 0 queued, 1 processing, 2 processed, 3 failed, 4 dead.
        yield return (1, $$"""
            CREATE SEQUENCE {{s}}.tokens;
            CREATE SEQUENCE {{s}}.arrivals;
            CREATE TABLE {{s}}.events (
              id text PRIMARY KEY,
              seq bigint NOT NULL DEFAULT nextval('{{s}}.arrivals'),
              source text NOT NULL,
              event_type text NOT NULL,
              received_at timestamptz NOT NULL,
              headers bytea NOT NULL,
              body bytea NOT NULL,
              body_digest bytea,
              trace_parent text,
              size bigint NOT NULL,
              status smallint NOT NULL DEFAULT 0,
              due_at timestamptz,
              token bigint NOT NULL DEFAULT 0,
              attempts int NOT NULL DEFAULT 0,
              interruptions int NOT NULL DEFAULT 0,
              last_error text,
              completed_at timestamptz,
              unhandled boolean NOT NULL DEFAULT false,
              replay_count int NOT NULL DEFAULT 0,
              generation int NOT NULL DEFAULT 0,
              run_handler text,
              run_token bigint,
              run_until timestamptz,
              succeeded text[]
            );
            ALTER TABLE {{s}}.events ALTER COLUMN body SET STORAGE EXTERNAL;
            CREATE UNIQUE INDEX events_seq ON {{s}}.events (seq);
            CREATE INDEX events_due ON {{s}}.events (due_at, seq) WHERE status IN (0, 1, 3);
            CREATE INDEX events_status ON {{s}}.events (status, seq);
            CREATE INDEX events_retention ON {{s}}.events (completed_at) WHERE status = 2;
            CREATE UNIQUE INDEX events_digest ON {{s}}.events (body_digest) WHERE body_digest IS NOT NULL;

            -- Counts per status (and the bytes that count against capacity) without scanning the events: each statement that
            -- changes events adds one row of differences per status it changed (statement triggers over the transition tables),
            -- so writers never wait for each other on a counter; the purge folds the rows together from time to time.
            CREATE TABLE {{s}}.counts (status smallint NOT NULL, n bigint NOT NULL, bytes bigint NOT NULL);
            INSERT INTO {{s}}.counts SELECT st, 0, 0 FROM generate_series(0, 4) st;
            CREATE FUNCTION {{s}}.count_inserted() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              INSERT INTO {{s}}.counts SELECT status, count(*), sum(size) FROM new_rows GROUP BY status;
              RETURN NULL;
            END $f$;
            CREATE FUNCTION {{s}}.count_deleted() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              INSERT INTO {{s}}.counts SELECT status, -count(*), -sum(size) FROM old_rows GROUP BY status;
              RETURN NULL;
            END $f$;
            CREATE FUNCTION {{s}}.count_updated() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              INSERT INTO {{s}}.counts
                SELECT status, sum(dn), sum(db) FROM (
                  SELECT status, 1 AS dn, size AS db FROM new_rows UNION ALL SELECT status, -1, -size FROM old_rows) c
                GROUP BY status HAVING sum(dn) <> 0 OR sum(db) <> 0;
              RETURN NULL;
            END $f$;
            CREATE TRIGGER events_inserted AFTER INSERT ON {{s}}.events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{s}}.count_inserted();
            CREATE TRIGGER events_deleted AFTER DELETE ON {{s}}.events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {{s}}.count_deleted();
            CREATE TRIGGER events_updated AFTER UPDATE ON {{s}}.events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{s}}.count_updated();

            -- Forgets at most 500 processed events past the retention (bounded, so that no call waits on a large delete), and
            -- folds the count rows together when they have grown and no other caller is folding them.
            CREATE FUNCTION {{s}}.purge(at timestamptz, retention interval) RETURNS void LANGUAGE plpgsql AS $f$
            BEGIN
              DELETE FROM {{s}}.events WHERE id IN (
                SELECT id FROM {{s}}.events WHERE status = 2 AND completed_at < at - retention ORDER BY completed_at LIMIT 500 FOR UPDATE SKIP LOCKED);
              IF (SELECT count(*) FROM (SELECT 1 FROM {{s}}.counts LIMIT 64) c) >= 64 AND pg_try_advisory_xact_lock(hashtext('{{s}}.counts')) THEN
                WITH folded AS (DELETE FROM {{s}}.counts RETURNING status, n, bytes)
                INSERT INTO {{s}}.counts SELECT status, sum(n), sum(bytes) FROM folded GROUP BY status;
              END IF;
            END $f$;

            -- Appends an event unless its id, or (deduplicated by body) its digest, is stored: 0 appended, 1 duplicate,
            -- 2 conflicting duplicate (same id, other body), 3 full. Concurrent appends of one id or digest wait for each other
            -- on the unique indexes, so there is no window in which both see neither.
            CREATE FUNCTION {{s}}.append(p_id text, p_source text, p_type text, p_received timestamptz, p_headers bytea, p_body bytea,
                p_digest bytea, p_trace text, p_size bigint, at timestamptz, retention interval, max_events bigint, max_bytes bigint)
              RETURNS int LANGUAGE plpgsql AS $f$
            DECLARE
              stored bytea;
              expired boolean;
              used_n bigint;
              used_bytes bigint;
            BEGIN
              -- A processed event past the retention is forgotten here if the background purge has not reached it yet.
              SELECT body, status = 2 AND completed_at < at - retention INTO stored, expired FROM {{s}}.events WHERE id = p_id;
              IF FOUND AND NOT expired THEN
                RETURN CASE WHEN stored = p_body THEN 1 ELSE 2 END;
              ELSIF FOUND THEN
                DELETE FROM {{s}}.events WHERE id = p_id;
              END IF;
              IF p_digest IS NOT NULL THEN
                DELETE FROM {{s}}.events WHERE body_digest = p_digest AND status = 2 AND completed_at < at - retention;
                IF EXISTS (SELECT 1 FROM {{s}}.events WHERE body_digest = p_digest) THEN
                  RETURN 1;
                END IF;
              END IF;
              IF max_events IS NOT NULL OR max_bytes IS NOT NULL THEN
                SELECT coalesce(sum(n), 0), coalesce(sum(bytes), 0) INTO used_n, used_bytes FROM {{s}}.counts WHERE status <> 4;
                IF used_n >= coalesce(max_events, used_n + 1) OR used_bytes + p_size > coalesce(max_bytes, used_bytes + p_size) THEN
                  -- Full unless processed events past the retention still hold room: forget them, then look again.
                  PERFORM {{s}}.purge(at, retention);
                  SELECT coalesce(sum(n), 0), coalesce(sum(bytes), 0) INTO used_n, used_bytes FROM {{s}}.counts WHERE status <> 4;
                  IF used_n >= coalesce(max_events, used_n + 1) OR used_bytes + p_size > coalesce(max_bytes, used_bytes + p_size) THEN
                    RETURN 3;
                  END IF;
                END IF;
              END IF;
              INSERT INTO {{s}}.events (id, source, event_type, received_at, headers, body, body_digest, trace_parent, size, status, due_at)
                VALUES (p_id, p_source, p_type, p_received, p_headers, p_body, p_digest, p_trace, p_size, 0, at)
                ON CONFLICT DO NOTHING;
              IF FOUND THEN
                RETURN 0;
              END IF;
              -- Another append of the id or digest committed meanwhile.
              SELECT body INTO stored FROM {{s}}.events WHERE id = p_id;
              IF FOUND THEN
                RETURN CASE WHEN stored = p_body THEN 1 ELSE 2 END;
              END IF;
              RETURN 1;
            END $f$;

            -- Starts a handler's run: 0 started, 1 already succeeded, 2 busy (another claim's run still holds), 3 lease lost.
            CREATE FUNCTION {{s}}.begin_handler(p_id text, p_token bigint, p_handler text, at timestamptz) RETURNS int LANGUAGE plpgsql AS $f$
            DECLARE
              e record;
            BEGIN
              SELECT status, token, succeeded, run_handler, run_token, run_until, due_at INTO e FROM {{s}}.events WHERE id = p_id FOR UPDATE;
              IF NOT FOUND OR e.status <> 1 OR e.token <> p_token THEN
                RETURN 3;
              END IF;
              IF p_handler = ANY (coalesce(e.succeeded, '{}')) THEN
                RETURN 1;
              END IF;
              IF e.run_handler IS NOT NULL AND e.run_token <> p_token AND e.run_until > at THEN
                RETURN 2;
              END IF;
              UPDATE {{s}}.events SET run_handler = p_handler, run_token = p_token, run_until = e.due_at WHERE id = p_id;
              RETURN 0;
            END $f$;

            CREATE TABLE {{s}}.idempotency (
              key text PRIMARY KEY,
              token bigint NOT NULL,
              done boolean NOT NULL DEFAULT false,
              until timestamptz NOT NULL
            );
            CREATE INDEX idempotency_until ON {{s}}.idempotency (until);
            """);
    }
}
