namespace Webhooks.Redis;

/// <summary>
/// The event store's Lua scripts: one per transition, each on the keys of one partition (one hash slot). Every script gets the
/// same first keys and values:
/// <list type="bullet">
/// <item>KEYS[1] <c>due</c> (sorted set: queued, failed and processing events by the time they are due or their lease ends),
/// KEYS[2] <c>forgotten</c> (list of <c>digest|id</c> of forgotten events whose digest index entries are still to be removed),
/// KEYS[3] <c>expiry</c> (processed events by when they are forgotten),
/// KEYS[4] <c>intake</c> (hash: <c>n</c> events and <c>bytes</c> counted against capacity, dead ones excepted),
/// KEYS[5] <c>token</c> (the fencing-token counter), KEYS[6..10] <c>status:0..4</c> (events of each status by arrival: each
/// event is in exactly one, so that listing every event merges the five);</item>
/// <item>ARGV[1] the time in milliseconds, or -1 to read it from the server (<c>TIME</c>), ARGV[2] the prefix of event keys
/// (<c>…{pNN}:evt:</c>), ARGV[3] the processed-event retention in milliseconds.</item>
/// </list>
/// An event is the hash <c>…{pNN}:evt:&lt;id&gt;</c>: <c>b</c> its body, <c>h</c> its headers, <c>m</c> what never changes and no
/// script reads (source, type, arrival ticks, traceparent, body length; see <see cref="RedisEventMeta"/>), <c>size</c> what it
/// counts against capacity, <c>dig</c> its body's SHA-256 (only when deduplicated by body: its presence says so), <c>st</c> its
/// status, <c>due</c> when it is due or its lease ends, and <c>arr</c> its arrival (its score in its status index, so that a
/// change of status reads it with the event's other fields instead of looking it up).
/// The fields that start at zero or empty (<c>att</c>, <c>tok</c>, <c>err</c>, <c>done</c>, <c>unh</c>, <c>rep</c>, <c>gen</c>,
/// <c>int</c> the interruptions in a row, <c>run</c> the handler run the
/// event holds, <c>ok</c> the handlers that succeeded) are written when first set, not at the append: absent, they read as their first value. A queued event is then a hash of
/// seven fields (eight with a digest), written by one HSET of that many.
/// Statuses are 0 queued, 1 processing, 2 processed, 3 failed, 4 dead.
/// </summary>
internal static class RedisEventScripts
{
    private static readonly string MaxFree = Webhooks.Storage.IWebhookEventStore.MaxUncountedInterruptions.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private const string Prelude = RedisScript.Functions + """
        -- The partition the helpers below work on: its keys start at KEYS[kb + 1], its event keys with pre. A script on one
        -- partition leaves them as they are; the append moves them from one partition's keys to the next.
        local kb = 0
        local pre = ARGV[2]
        -- A processed event's entry in the expiry index: "<size> <digest entry> <id>", so that an event whose hash its
        -- time-to-live (a backstop) removed first is still forgotten whole: its counts and its digest index entry.
        local function expiring(id, size, dig)
          return size .. ' ' .. (dig or '') .. ' ' .. id
        end
        -- Forgets an event: its hash, its index entries and its counts. Returns its digest entry ("<digest>|<nonce>"), if any,
        -- which is also queued in 'forgotten' for its digest index entry to be removed.
        local function forget(id, key)
          local f = redis.call('HMGET', key, 'st', 'size', 'dig')
          if not f[1] then return nil end
          if f[3] then redis.call('RPUSH', KEYS[kb + 2], f[3] .. '|' .. id) end
          local st = tonumber(f[1])
          redis.call('DEL', key)
          redis.call('ZREM', KEYS[kb + 1], id)
          if st == 2 then redis.call('ZREM', KEYS[kb + 3], expiring(id, f[2], f[3]), id) end
          redis.call('ZREM', KEYS[kb + 6 + st], id)
          if st ~= 4 then
            redis.call('HINCRBY', KEYS[kb + 4], 'n', '-1')
            redis.call('HINCRBY', KEYS[kb + 4], 'bytes', '-' .. f[2])
          end
          return f[3]
        end
        local function purge(now)
          local expired = redis.call('ZRANGEBYSCORE', KEYS[kb + 3], '-inf', '(' .. int(now), 'LIMIT', '0', '500')
          for _, entry in ipairs(expired) do
            local size, dig, id = string.match(entry, '^(%d+) (%S*) (.*)$')
            if not id then id = entry end
            if redis.call('EXISTS', pre .. id) == 1 then
              forget(id, pre .. id)
            else
              -- Its hash is gone already (its time-to-live ran out first): forget the rest as its entry says, a processed
              -- event's (an entry of an earlier version, only an id, leaves the counts as they are).
              redis.call('ZREM', KEYS[kb + 3], entry)
              redis.call('ZREM', KEYS[kb + 1], id)
              redis.call('ZREM', KEYS[kb + 8], id)
              if size then
                redis.call('HINCRBY', KEYS[kb + 4], 'n', '-1')
                redis.call('HINCRBY', KEYS[kb + 4], 'bytes', '-' .. size)
                if dig ~= '' then redis.call('RPUSH', KEYS[kb + 2], dig .. '|' .. id) end
              end
            end
          end
        end
        -- The key that fences off the append of an id whose digest index entry another delivery took over (see FenceOrHolds).
        local function fence(prefix, id)
          return string.sub(prefix, 1, -5) .. 'fence:' .. id
        end
        -- Moves an event from one status index to another; its score there is its arrival (the field 'arr'). The caller sets 'st'.
        local function move(id, from, to, arrival)
          if from ~= to then
            redis.call('ZREM', KEYS[kb + 6 + from], id)
            redis.call('ZADD', KEYS[kb + 6 + to], arrival, id)
          end
        end
        local function summary(key)
          return redis.call('HMGET', key, 'm', 'st', 'att', 'due', 'err', 'done', 'rep', 'gen', 'unh')
        end
        -- The write-backs of attempts, functions of the partition at kb that the batched script (Finish) calls one after the
        -- other: each returns 1, or 0 when the token is stale (nothing written).
        local function claimed(id, tok)
          local key = pre .. id
          local f = redis.call('HMGET', key, 'st', 'tok', 'arr')
          if f[1] ~= '1' or f[2] ~= tok then return nil end
          return key, f
        end
        local function complete(now, id, tok, unhandled)
          local key, f = claimed(id, tok)
          if not key then return 0 end
          redis.call('ZREM', KEYS[kb + 1], id)
          move(id, 1, 2, f[3])
          redis.call('HSET', key, 'st', '2', 'done', int(now))
          -- What a processed event no longer needs goes, read as its first value when asked: its lease and token, its
          -- interruptions, its last error, and its handler runs (nothing runs again for it but a forced replay, which runs every
          -- handler). A processed event is the one kept longest in numbers: each field is about 50 bytes of Redis memory.
          redis.call('HDEL', key, 'ok', 'run', 'tok', 'due', 'int', 'err', 'unh')
          if unhandled == '1' then redis.call('HSET', key, 'unh', '1') end
          local kept = redis.call('HMGET', key, 'size', 'dig')
          redis.call('ZADD', KEYS[kb + 3], int(now + tonumber(ARGV[3])), expiring(id, kept[1], kept[2]))
          -- Forgotten by the scripts once the retention has passed; the time-to-live, an hour later, is a backstop.
          redis.call('PEXPIRE', key, int(tonumber(ARGV[3]) + 3600000))
          return 1
        end
        -- Failed with a retry after delay ms, or dead when delay is negative.
        local function fail(now, id, tok, err, delay)
          local key, f = claimed(id, tok)
          if not key then return 0 end
          if delay >= 0 then
            local retry = int(now + delay)
            move(id, 1, 3, f[3])
            redis.call('HSET', key, 'st', '3', 'err', err, 'due', retry)
            redis.call('ZADD', KEYS[kb + 1], retry, id)
          else
            redis.call('ZREM', KEYS[kb + 1], id)
            move(id, 1, 4, f[3])
            redis.call('HSET', key, 'st', '4', 'err', err, 'done', int(now))
            redis.call('HINCRBY', KEYS[kb + 4], 'n', '-1')
            redis.call('HINCRBY', KEYS[kb + 4], 'bytes', '-' .. redis.call('HGET', key, 'size'))
          end
          return 1
        end
        -- Released (delay 0) or deferred: queued again, uncounted, letting go of the handler run the attempt held.
        local function giveback(now, id, tok, delay)
          local key, f = claimed(id, tok)
          if not key then return 0 end
          local due = int(now + delay)
          move(id, 1, 0, f[3])
          redis.call('HINCRBY', key, 'att', '-1')
          local run = redis.call('HGET', key, 'run')
          if run and string.match(run, '^(%d+)|') == tok then redis.call('HDEL', key, 'run') end
          redis.call('HSET', key, 'st', '0', 'due', due)
          redis.call('ZADD', KEYS[kb + 1], due, id)
          return 1
        end
        -- Ends the handler run tok holds, recording handler as succeeded when succeeded is '1'.
        local function endrun(id, tok, handler, succeeded)
          local key = pre .. id
          local f = redis.call('HMGET', key, 'run', 'ok')
          if not f[1] or string.match(f[1], '^(%d+)|') ~= tok then return 0 end
          redis.call('HDEL', key, 'run')
          if succeeded == '1' then
            local ok = f[2] or '\n'
            if not string.find(ok, '\n' .. handler .. '\n', 1, true) then redis.call('HSET', key, 'ok', ok .. handler .. '\n') end
          end
          return 1
        end
        """ + "\n";

    /// <summary>
    /// Appends a batch of events, each partition's in order, as if one after another. The batch is in groups, one per partition,
    /// each with its ten keys (KEYS[10 * g + 1] onwards for group g, counted from 0): ARGV[4] is how many groups, then for each
    /// the partition's event key prefix, how many events, its most events and most bytes (0: no limit), whether to tidy it (1:
    /// forget its expired events and take its forgotten digests first; 0: only when an event would not fit otherwise), and six
    /// values for each event — id, body, headers, the packed metadata, the body's digest entry (<c>&lt;digest&gt;|&lt;nonce&gt;</c>,
    /// empty unless deduplicated by body) and its size counted against capacity. An event that exists already is a duplicate when
    /// its body is the same, a conflict otherwise. On a single Redis one script takes the groups of every partition; on a cluster,
    /// whose scripts touch one slot each, a script takes one group. Returns one code per event, in the order given (0 appended, 1
    /// duplicate, 2 conflict, 3 full, 4 fenced off), then up to 1,024 <c>digest|nonce|id</c> entries for each tidied group of
    /// forgotten events, whose digest index entries the caller removes (more than a partition's events expire in a second).
    /// The client asks for tidying about once a second per partition: every other script that reads a partition forgets its
    /// expired events too, and under load tidying each group of every batch cost Redis three calls per group for nothing.
    /// </summary>
    public static readonly RedisScript Append = new(Prelude + """
        local now = clock(ARGV[1])
        local nows = int(now)
        local n, bytes, added, addedBytes
        local maxn, maxb, limited, tidied, indexed
        -- The partition's counts, read once for its group when it has limits (without, they are only added to).
        local function count()
          local counted = redis.call('HMGET', KEYS[kb + 4], 'n', 'bytes')
          n = tonumber(counted[1] or '0') + added
          bytes = tonumber(counted[2] or '0') + addedBytes
        end
        local function room(size)
          return (maxn == 0 or n + 1 <= maxn) and (maxb == 0 or bytes + size <= maxb)
        end
        local function fits(size)
          if not limited or room(size) then return true end
          if tidied then return false end
          -- Full unless expired events free room: forget them now, and count again.
          tidied = true
          purge(now)
          count()
          return room(size)
        end
        local function append(b)
          local id = ARGV[b]
          local key = pre .. id
          if redis.call('EXISTS', key) == 1 then
            -- A duplicate, or a conflict when its body differs (read only then: duplicates are rare).
            if redis.call('HGET', key, 'b') == ARGV[b + 1] then return 1 end
            return 2
          end
          if ARGV[b + 4] ~= '' then
            -- Another delivery of the same body found this append not landed yet and took the digest over: refused, so that the
            -- body is never stored under two ids. The caller starts again and finds the other event.
            local fenced = fence(pre, id)
            if redis.call('GET', fenced) == ARGV[b + 4] then
              redis.call('DEL', fenced)
              return 4
            end
          end
          local size = tonumber(ARGV[b + 5])
          if not fits(size) then return 3 end
          if ARGV[b + 4] == '' then
            redis.call('HSET', key, 'b', ARGV[b + 1], 'h', ARGV[b + 2], 'm', ARGV[b + 3], 'size', ARGV[b + 5], 'st', '0', 'arr', nows, 'due', nows)
          else
            redis.call('HSET', key, 'b', ARGV[b + 1], 'h', ARGV[b + 2], 'm', ARGV[b + 3], 'dig', ARGV[b + 4], 'size', ARGV[b + 5], 'st', '0', 'arr', nows, 'due', nows)
          end
          -- Indexed with the group's other new events, by one ZADD per index at the group's end.
          indexed[#indexed + 1] = nows
          indexed[#indexed + 1] = id
          if limited then
            n = n + 1
            bytes = bytes + size
          end
          added = added + 1
          addedBytes = addedBytes + size
          return 0
        end
        local out = {}
        local tidy = {}
        local b = 5
        for g = 0, tonumber(ARGV[4]) - 1 do
          kb = 10 * g
          pre = ARGV[b]
          local events = tonumber(ARGV[b + 1])
          maxn = tonumber(ARGV[b + 2])
          maxb = tonumber(ARGV[b + 3])
          limited = maxn > 0 or maxb > 0
          tidied = ARGV[b + 4] == '1'
          b = b + 5
          added = 0
          addedBytes = 0
          indexed = {}
          if tidied then purge(now) end
          if limited then count() end
          for j = 1, events do
            table.insert(out, append(b))
            b = b + 6
          end
          if added > 0 then
            redis.call('ZADD', KEYS[kb + 1], unpack(indexed))
            redis.call('ZADD', KEYS[kb + 6], unpack(indexed))
            redis.call('HINCRBY', KEYS[kb + 4], 'n', int(added))
            redis.call('HINCRBY', KEYS[kb + 4], 'bytes', int(addedBytes))
          end
          if tidied then
            local forgotten = redis.call('LPOP', KEYS[kb + 2], 1024)
            if forgotten then
              for _, entry in ipairs(forgotten) do table.insert(tidy, entry) end
            end
          end
        end
        for _, entry in ipairs(tidy) do table.insert(out, entry) end
        return out
        """);

    // Claims one due event of the partition at kb (partition number p of n): a new lease ending at ends and a token that is the
    // partition's counter times n plus p (strictly increasing for each event, never the same for two events). Returns the claim's
    // array: ending with the interruptions in a row it takes over, whether it holds the event's handler run, and the handlers
    // that succeeded.
    private const string ClaimOne = """
        local function claimone(id, score, now, ends, n, p)
          local key = pre .. id
          local f = redis.call('HMGET', key, 'st', 'att', 'arr', 'b', 'h', 'm', 'dig', 'rep', 'gen', 'int', 'run', 'ok')
          local token = int(redis.call('INCR', KEYS[kb + 5]) * n + p)
          -- A processing event whose lease ended was interrupted: taken over without counting an attempt, up to a bound in a row.
          local interruptions = 0
          if f[1] == '1' then interruptions = (tonumber(f[10]) or 0) + 1 end
          local attempts = tonumber(f[2]) or 0
          if interruptions == 0 or interruptions > MAXFREE then attempts = attempts + 1 end
          -- The claim takes the event's handler run unless an earlier claim's run still holds it (a stuck handler).
          local holds = not f[11] or tonumber(string.match(f[11], '^%d+|(%d+)|')) <= now
          if holds then
            redis.call('HSET', key, 'st', '1', 'att', int(attempts), 'tok', token, 'due', ends, 'int', int(interruptions), 'run', token .. '|' .. ends .. '|*')
          else
            redis.call('HSET', key, 'st', '1', 'att', int(attempts), 'tok', token, 'due', ends, 'int', int(interruptions))
          end
          move(id, tonumber(f[1]), 1, f[3])
          redis.call('ZADD', KEYS[kb + 1], ends, id)
          return {id, token, int(attempts), ends, f[4], f[5], f[6], f[7] and '1' or '0', f[8], f[9], score, int(interruptions), holds and '1' or '0', f[12] or ''}
        end
        """ + "\n";

    /// <summary>
    /// ARGV[4]: lease ms; ARGV[5]: how many; ARGV[6]: the partition count; ARGV[7]: this partition. Claims up to that many due
    /// events, earliest due first; returns one array per claim: id, token, attempt, lease end, body, headers, metadata,
    /// deduplicated by body (0/1), replays, generation, due score, interruptions, holds the run (0/1), handlers that succeeded.
    /// </summary>
    public static readonly RedisScript Claim = new((Prelude + ClaimOne + """
        local now = clock(ARGV[1])
        purge(now)
        local ends = int(now + tonumber(ARGV[4]))
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', int(now), 'WITHSCORES', 'LIMIT', '0', ARGV[5])
        local out = {}
        for i = 1, #due, 2 do
          table.insert(out, claimone(due[i], due[i + 1], now, ends, tonumber(ARGV[6]), tonumber(ARGV[7])))
        end
        return out
        """).Replace("MAXFREE", MaxFree, System.StringComparison.Ordinal));

    private const string Claimed = """
        local key = ARGV[2] .. ARGV[4]
        local f = redis.call('HMGET', key, 'st', 'tok', 'arr')
        if f[1] ~= '1' or f[2] ~= ARGV[5] then return 0 end
        """ + "\n";

    // A handler's run: the field 'run' is "<token>|<hold ends ms>|<handler>"; 'ok' is the handlers that succeeded, each followed by
    // a line feed, after a leading one.
    private const string Run = """
        local key = ARGV[2] .. ARGV[4]
        local run = redis.call('HGET', key, 'run')
        if not run then return 0 end
        local holder, _, handler = string.match(run, '^(%d+)|(%d+)|(.*)$')
        if holder ~= ARGV[5] then return 0 end
        """ + "\n";

    /// <summary>ARGV[4] id, ARGV[5] token, ARGV[6] lease ms. Renews the claim and the handler run it holds.</summary>
    public static readonly RedisScript Renew = new(Prelude + Claimed + """
        local ends = int(clock(ARGV[1]) + tonumber(ARGV[6]))
        local run = redis.call('HGET', key, 'run')
        if run then
          local holder, _, handler = string.match(run, '^(%d+)|(%d+)|(.*)$')
          if holder == ARGV[5] then
            redis.call('HSET', key, 'due', ends, 'run', holder .. '|' .. ends .. '|' .. handler)
          else
            redis.call('HSET', key, 'due', ends)
          end
        else
          redis.call('HSET', key, 'due', ends)
        end
        redis.call('ZADD', KEYS[1], ends, ARGV[4])
        return 1
        """);

    /// <summary>
    /// The write-backs of attempts, batched like appends: ARGV[4] is how many groups, one per partition, each with its ten keys
    /// (KEYS[10 * g + 1] onwards) and, in ARGV, the partition's event key prefix, how many operations, then five values for
    /// each: the operation (<c>c</c> complete: id, token, unhandled 0/1; <c>f</c> fail: id, token, error, retry delay ms or -1
    /// for dead; <c>g</c> give back: id, token, delay ms; <c>e</c> end a handler's run: id, token, handler, succeeded 0/1),
    /// unused values empty. Returns one code per operation, in the order given: 1 done, 0 stale.
    /// </summary>
    public static readonly RedisScript Finish = new(Prelude + """
        local now = clock(ARGV[1])
        local out = {}
        local b = 5
        for g = 0, tonumber(ARGV[4]) - 1 do
          kb = 10 * g
          pre = ARGV[b]
          local ops = tonumber(ARGV[b + 1])
          b = b + 2
          for j = 1, ops do
            local op = ARGV[b]
            local r
            if op == 'c' then r = complete(now, ARGV[b + 1], ARGV[b + 2], ARGV[b + 3])
            elseif op == 'f' then r = fail(now, ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], tonumber(ARGV[b + 4]))
            elseif op == 'g' then r = giveback(now, ARGV[b + 1], ARGV[b + 2], tonumber(ARGV[b + 3]))
            else r = endrun(ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]) end
            table.insert(out, r)
            b = b + 5
          end
        end
        return out
        """);

    /// <summary>ARGV[4] id, ARGV[5] token, ARGV[6] handler. 0 started, 1 already succeeded, 2 busy, 3 lease lost.</summary>
    public static readonly RedisScript BeginHandler = new(Prelude + """
        local key = ARGV[2] .. ARGV[4]
        local f = redis.call('HMGET', key, 'st', 'tok', 'ok', 'run', 'due')
        if f[1] ~= '1' or f[2] ~= ARGV[5] then return 3 end
        if f[3] and string.find(f[3], '\n' .. ARGV[6] .. '\n', 1, true) then return 1 end
        if f[4] then
          local holder, ends = string.match(f[4], '^(%d+)|(%d+)|')
          if holder ~= ARGV[5] and tonumber(ends) > clock(ARGV[1]) then return 2 end
        end
        redis.call('HSET', key, 'run', ARGV[5] .. '|' .. f[5] .. '|' .. ARGV[6])
        return 0
        """);

    /// <summary>ARGV[4] id, ARGV[5] token, ARGV[6] hold ms. 1 when renewed, 0 when the run is not that token's.</summary>
    public static readonly RedisScript RenewHandler = new(Prelude + Run + """
        redis.call('HSET', key, 'run', holder .. '|' .. int(clock(ARGV[1]) + tonumber(ARGV[6])) .. '|' .. handler)
        return 1
        """);

    /// <summary>ARGV[4] id. Returns the summary fields, or nil.</summary>
    public static readonly RedisScript Get = new(Prelude + """
        purge(clock(ARGV[1]))
        local key = ARGV[2] .. ARGV[4]
        if redis.call('EXISTS', key) == 0 then return nil end
        return summary(key)
        """);

    /// <summary>ARGV[4] id. Returns the event's fields, or nil.</summary>
    public static readonly RedisScript Read = new(Prelude + """
        purge(clock(ARGV[1]))
        local key = ARGV[2] .. ARGV[4]
        if redis.call('EXISTS', key) == 0 then return nil end
        local f = redis.call('HMGET', key, 'b', 'h', 'm', 'dig', 'att', 'rep', 'gen')
        f[4] = f[4] and '1' or '0'
        return f
        """);

    /// <summary>
    /// ARGV[4] status (-1 for all), ARGV[5] cursor score (exclusive bound, or -1), ARGV[6] cursor id, ARGV[7] limit. Returns
    /// {id, arrival, summary…} of up to that many events of the status, newest first; for all, up to that many of each status
    /// (every event is in exactly one status index), for the caller to merge.
    /// </summary>
    public static readonly RedisScript List = new(Prelude + """
        purge(clock(ARGV[1]))
        local limit = tonumber(ARGV[7])
        local after = tonumber(ARGV[5])
        local top = '+inf'
        if after >= 0 then top = ARGV[5] end
        local out = {}
        local function page(index)
          local found = 0
          local offset = 0
          while found < limit do
            local rows = redis.call('ZREVRANGEBYSCORE', index, top, '-inf', 'WITHSCORES', 'LIMIT', offset, limit + 16)
            if #rows == 0 then break end
            for i = 1, #rows, 2 do
              local id = rows[i]
              local arrival = rows[i + 1]
              if found < limit and (after < 0 or tonumber(arrival) < after or id < ARGV[6]) then
                local fields = summary(ARGV[2] .. id)
                if fields[1] then
                  table.insert(out, {id, arrival, fields})
                  found = found + 1
                end
              end
            end
            offset = offset + (#rows / 2)
          end
        end
        local status = tonumber(ARGV[4])
        if status >= 0 then
          page(KEYS[6 + status])
        else
          for st = 0, 4 do page(KEYS[6 + st]) end
        end
        return out
        """);

    /// <summary>Returns {queued, processing, processed, failed, dead, earliest due ms or -1}.</summary>
    public static readonly RedisScript Count = new(Prelude + """
        local now = clock(ARGV[1])
        purge(now)
        local out = {}
        for s = 0, 4 do out[s + 1] = redis.call('ZCARD', KEYS[6 + s]) end
        local first = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', int(now), 'WITHSCORES', 'LIMIT', '0', '1')
        if #first > 0 then out[6] = first[2] else out[6] = '-1' end
        return out
        """);

    /// <summary>ARGV[4] id, ARGV[5] force (0/1). 0 queued, 1 not found, 2 already processed, 3 already pending.</summary>
    public static readonly RedisScript Replay = new(Prelude + """
        local now = clock(ARGV[1])
        purge(now)
        local key = ARGV[2] .. ARGV[4]
        local f = redis.call('HMGET', key, 'st', 'size', 'arr', 'dig')
        if not f[1] then return 1 end
        local st = tonumber(f[1])
        if st == 0 or st == 1 then return 3 end
        if st == 2 and ARGV[5] ~= '1' then return 2 end
        if st == 2 then
          redis.call('ZREM', KEYS[3], expiring(ARGV[4], f[2], f[4]), ARGV[4])
          redis.call('PERSIST', key)
        end
        if st == 4 then
          redis.call('HINCRBY', KEYS[4], 'n', '1')
          redis.call('HINCRBY', KEYS[4], 'bytes', f[2])
        end
        move(ARGV[4], st, 0, f[3])
        redis.call('HSET', key, 'st', '0', 'att', '0', 'err', '', 'done', '-1', 'unh', '0', 'due', int(now))
        redis.call('HINCRBY', key, 'rep', '1')
        if ARGV[5] == '1' then
          redis.call('HINCRBY', key, 'gen', '1')
          redis.call('HDEL', key, 'ok')
        end
        redis.call('ZADD', KEYS[1], int(now), ARGV[4])
        return 0
        """);

    /// <summary>
    /// ARGV[4] id. 0 when there was no such event; when deleted, 1, or its digest entry (<c>digest|nonce|id</c>) for the caller to
    /// remove its digest index entry at once (it is queued in 'forgotten' too, in case the caller cannot).
    /// </summary>
    public static readonly RedisScript Delete = new(Prelude + """
        local key = ARGV[2] .. ARGV[4]
        if redis.call('EXISTS', key) == 0 then return 0 end
        local dig = forget(ARGV[4], key)
        if dig then return dig .. '|' .. ARGV[4] end
        return 1
        """);

    /// <summary>
    /// The digest index (on the digest's own partition). KEYS[1] the digest key, whose value names its holder as
    /// <c>&lt;nonce&gt;|&lt;id&gt;</c> (the nonce new for each append, so that an entry names one append of an id, not every later one).
    /// ARGV[1] the holder that claims it, ARGV[2] the holder it must replace (or empty). Returns the holder afterwards.
    /// </summary>
    public static readonly RedisScript ClaimDigest = new("""
        local holder = redis.call('GET', KEYS[1])
        if not holder or holder == ARGV[2] then
          redis.call('SET', KEYS[1], ARGV[1])
          return ARGV[1]
        end
        return holder
        """);

    /// <summary>KEYS[1] the digest key; ARGV[1] the holder (<c>&lt;nonce&gt;|&lt;id&gt;</c>). Deletes the digest entry only if it still names that holder.</summary>
    public static readonly RedisScript ForgetDigest = new("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
        return 0
        """);

    /// <summary>
    /// On the partition of an id that holds a digest index entry: ARGV[4] the id, ARGV[5] the digest entry it holds
    /// (<c>&lt;digest&gt;|&lt;nonce&gt;</c>). 1 when that event is stored with that entry (the body is a duplicate); otherwise 0, and when the
    /// id is not stored, its append is fenced off first (a fence key the append script consumes, kept an hour), so that an
    /// append still on its way can never land once the caller has taken the digest over: the check and the append are ordered
    /// by this partition, whichever slots the digest and the two ids live in.
    /// </summary>
    public static readonly RedisScript FenceOrHolds = new(Prelude + """
        purge(clock(ARGV[1]))
        local key = ARGV[2] .. ARGV[4]
        if redis.call('EXISTS', key) == 1 then
          if redis.call('HGET', key, 'dig') == ARGV[5] then return 1 end
          return 0
        end
        redis.call('SET', fence(ARGV[2], ARGV[4]), ARGV[5], 'PX', '3600000')
        return 0
        """);
}
