/// The Lua scripts of ``RedisTaskQueue``: every change to the queue is one of these, run
/// whole by Redis (atomic), so a client killed at any point leaves either all of a
/// transition or none of it.
///
/// Keys all start with the queue's prefix, `{NAME}` — one hash tag, so every key of a
/// queue lands in one Redis Cluster slot. `KEYS[1]` is always the queue's meta key and
/// `ARGV[1]` the prefix the others are made from:
/// - `P:meta` (hash): `queue_id`, `created_at`
/// - `P:seq` (string): the last task id given out
/// - `P:t:ID` (hash): one task; its fields are ``TaskRecord``'s JSON names, plus
///   `lease_token` and `request_digest` (absent `files`, `parameters`, `attempts` and
///   `updated_at` read as `[]`, `{}`, 0 and `created_at`)
/// - `P:ready` (sorted set, all scores 0, ordered by member): the rank
///   `PRIORITY':'RUN_AT':'ID` of each claimable task whose time has come — fixed-width, so
///   the first member is the highest priority, then the earliest `run_at`, then the oldest
/// - `P:delayed` (sorted set by `run_at`): claimable tasks whose time has not come
/// - `P:leases` (sorted set by lease expiry): running tasks
/// - `P:s:STATE` (sorted set by id): the ids in each state
/// - `P:idem` (hash): idempotency key → id
/// - `P:r:good`, `P:r:bad` (sorted sets by id): the rated tasks, by verdict (the task's `rating` field
///   holds the rating itself)
/// - `P:corrupt` (sorted set by id): tasks a script found unplaceable (their hash edited by hand:
///   a priority or run_at that is no number, a member of `ready` naming a task that is not
///   claimable); they are never leased
///
/// Every script but `open` first checks that `P:meta` still names the queue the client
/// opened: a server flushed or restarted without its data refuses instead of handing
/// out ids again.
enum QueueScripts {
    static let prelude = """
        local P = ARGV[1]
        local function tkey(id) return P .. ':t:' .. id end
        -- The queue's own keys, each with the one type minic gives it: a key of another type (set by hand)
        -- would make a write fail half-way through a script, and Redis keeps what a script wrote before an error.
        local KEY_TYPES = {meta = 'hash', seq = 'string', ready = 'zset', delayed = 'zset', leases = 'zset', idem = 'hash',
          corrupt = 'zset', ['s:queued'] = 'zset', ['s:running'] = 'zset', ['s:succeeded'] = 'zset', ['s:failed'] = 'zset',
          ['s:dead'] = 'zset', ['s:cancelled'] = 'zset', ['r:good'] = 'zset', ['r:bad'] = 'zset'}
        local function check_queue(expected)
          for name, wanted in pairs(KEY_TYPES) do
            local found = redis.call('TYPE', P .. ':' .. name).ok
            if found ~= 'none' and found ~= wanted then return 'MINIC_CORRUPT_KEY ' .. P .. ':' .. name .. ' is a ' .. found .. ', not a ' .. wanted end
          end
          local found = redis.call('HGET', P .. ':meta', 'queue_id')
          if found ~= expected then return 'MINIC_WRONG_QUEUE ' .. tostring(found) end
          local seq = redis.call('GET', P .. ':seq')
          if seq and not string.match(seq, '^%d+$') then return 'MINIC_CORRUPT_KEY ' .. P .. ':seq is not a task id' end
          return nil
        end
        -- Fixed width, so that ordering by member is ordering by priority (high first), run_at, id.
        -- RedisTaskQueue.rankPrefix writes the same first two parts on the client.
        local function rank(priority, run_at, id)
          return string.format('%010d:%019.6f:%015d', 2147483647 - priority, run_at, id)
        end
        -- A task's rank in `ready`, from its stored priority and run_at (the same text gives the same rank),
        -- and its run_at as stored.
        -- nil for a hash whose priority or run_at is not a number (edited by hand): scripts check
        -- before they write, since Redis keeps whatever a script wrote before an error.
        local function rank_of(id)
          local f = redis.call('HMGET', tkey(id), 'priority', 'run_at')
          local priority, run_at, number = tonumber(f[1]), tonumber(f[2]), tonumber(id)
          if not priority or not run_at or not number then return nil, nil end
          return rank(priority, run_at, number), f[2]
        end
        -- A task no script can place (its hash edited by hand) goes to P:corrupt, named for a person to look at.
        local function schedule(id, now)
          local r, run_at = rank_of(id)
          if not r then
            redis.call('ZADD', P .. ':corrupt', id, id)
          elseif tonumber(run_at) <= now then
            redis.call('ZADD', P .. ':ready', 0, r)
          else
            redis.call('ZADD', P .. ':delayed', run_at, id)
          end
        end
        local function unschedule(id)
          local r = rank_of(id)
          if r then redis.call('ZREM', P .. ':ready', r) end
          redis.call('ZREM', P .. ':delayed', id)
        end
        local function move(id, from, to)
          redis.call('ZREM', P .. ':s:' .. from, id)
          redis.call('ZADD', P .. ':s:' .. to, id, id)
          redis.call('HSET', tkey(id), 'state', to)
        end
        local function drop_lease(id)
          redis.call('HDEL', tkey(id), 'lease_owner', 'lease_token', 'lease_expires_at')
          redis.call('ZREM', P .. ':leases', id)
        end
        local function holds(id, token)
          local f = redis.call('HMGET', tkey(id), 'state', 'lease_token')
          return f[1] == 'running' and f[2] == token
        end
        -- Runs `command key a1 b1 a2 b2 ...` over `items` (flat), a few hundred at a time (Lua's
        -- stack bounds how many arguments one call may take): one call per chunk, not per task.
        local function many(command, key, items)
          local i = 1
          while i <= #items do
            redis.call(command, key, unpack(items, i, math.min(i + 511, #items)))
            i = i + 512
          end
        end
        -- Leases task `id`; returns its fields. The caller adds the state and lease sets in bulk.
        local function lease(id, owner, token, expires, now)
          local k = tkey(id)
          local f = redis.call('HMGET', k, 'state', 'attempts', 'started_at')
          redis.call('HSET', k, 'state', 'running', 'attempts', (tonumber(f[2]) or 0) + 1, 'lease_owner', owner, 'lease_token', token,
            'lease_expires_at', expires, 'updated_at', now, 'started_at', f[3] or now)
          redis.call('ZREM', P .. ':s:' .. f[1], id)
          return redis.call('HGETALL', k)
        end

        """

    /// ARGV: prefix, expected id ('' for none), new id, now. Returns the queue's id.
    static let open = RedisScriptSource(
        "open",
        """
        local found = redis.call('HGET', P .. ':meta', 'queue_id')
        if found then
          if ARGV[2] ~= '' and found ~= ARGV[2] then return redis.error_reply('MINIC_WRONG_QUEUE ' .. found) end
          return found
        end
        if ARGV[2] ~= '' then return redis.error_reply('MINIC_MISSING_QUEUE') end
        redis.call('HSET', P .. ':meta', 'queue_id', ARGV[3], 'created_at', ARGV[4])
        return ARGV[3]
        """)

    /// ARGV: prefix, queue id, highest id. Raises the id counter to at least `highest`.
    static let continueIDs = RedisScriptSource(
        "continue_ids",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local current = tonumber(redis.call('GET', P .. ':seq') or '0')
        if current < tonumber(ARGV[3]) then redis.call('SET', P .. ':seq', ARGV[3]) end
        return 1
        """)

    /// ARGV: prefix, queue id, now, count, then per task 13 fields: type, prompt, files, parameters,
    /// priority, run_at, max_attempts, has key ('1'/'0'), key, digest, rank prefix (`PRIORITY:RUN_AT`,
    /// as ``RedisTaskQueue/rankPrefix(priority:runAt:)`` writes it), agent commit ('' none), options ('' none).
    /// Returns per task the new id (integer) or the existing task's fields (array);
    /// `MINIC_IDEMPOTENCY INDEX ID` when a key was used for another request (nothing written).
    static let enqueue = RedisScriptSource(
        "enqueue",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local now = tonumber(ARGV[3])
        local n = tonumber(ARGV[4])
        local F = 13
        local seen, seen_id = {}, {}
        for i = 0, n - 1 do
          local b = 4 + i * F
          if ARGV[b + 8] == '1' then
            local key, digest = ARGV[b + 9], ARGV[b + 10]
            local prior = seen[key]
            if prior == nil then
              local id = redis.call('HGET', P .. ':idem', key)
              if id then
                prior = redis.call('HGET', tkey(id), 'request_digest') or ''
                seen[key], seen_id[key] = prior, id
              end
            end
            if prior ~= nil and prior ~= digest then
              return redis.error_reply('MINIC_IDEMPOTENCY ' .. i .. ' ' .. (seen_id[key] or '0'))
            end
            if prior == nil then seen[key] = digest end
          end
        end
        local out, fresh = {}, 0
        -- existing[i]: the id a known key names; first[i]: the index of the earlier task of this batch with i's key.
        local existing, first, first_with = {}, {}, {}
        for i = 0, n - 1 do
          local b = 4 + i * F
          if ARGV[b + 8] == '1' then
            existing[i] = redis.call('HGET', P .. ':idem', ARGV[b + 9])
            if not existing[i] then
              first[i] = first_with[ARGV[b + 9]]
              if not first[i] then first_with[ARGV[b + 9]] = i end
            end
          end
          if not existing[i] and not first[i] then fresh = fresh + 1 end
        end
        -- One INCRBY for the batch: its new tasks take the ids after the last one given out.
        local next_id = redis.call('INCRBY', P .. ':seq', fresh) - fresh
        local ids, ready, delayed = {}, {}, {}
        for i = 0, n - 1 do
          local b = 4 + i * F
          if existing[i] then
            out[#out + 1] = redis.call('HGETALL', tkey(existing[i]))
          elseif first[i] then
            out[#out + 1] = redis.call('HGETALL', tkey(existing[first[i]]))
          else
            next_id = next_id + 1
            existing[i] = next_id
            local id = next_id
            local run_at = tonumber(ARGV[b + 6])
            -- ARGV[b + 11] is the rank's priority and time, formatted by the client: only the id is added here.
            local r = ARGV[b + 11] .. string.format(':%015d', id)
            local k = tkey(id)
            -- Only what a new task has: absent files, parameters, attempts and updated_at read as
            -- [], {}, 0 and created_at (fewer fields to write is most of an enqueue's cost).
            redis.call('HSET', k, 'id', id, 'type', ARGV[b + 1], 'prompt', ARGV[b + 2], 'priority', ARGV[b + 5], 'run_at', ARGV[b + 6],
              'state', 'queued', 'max_attempts', ARGV[b + 7], 'created_at', ARGV[3])
            if ARGV[b + 3] ~= '[]' then redis.call('HSET', k, 'files', ARGV[b + 3]) end
            if ARGV[b + 4] ~= '{}' then redis.call('HSET', k, 'parameters', ARGV[b + 4]) end
            if ARGV[b + 8] == '1' then
              redis.call('HSET', k, 'idempotency_key', ARGV[b + 9], 'request_digest', ARGV[b + 10])
              redis.call('HSET', P .. ':idem', ARGV[b + 9], id)
            end
            if ARGV[b + 12] ~= '' then redis.call('HSET', k, 'agent_commit', ARGV[b + 12]) end
            if ARGV[b + 13] ~= '' then redis.call('HSET', k, 'options', ARGV[b + 13]) end
            ids[#ids + 1] = id
            ids[#ids + 1] = id
            if run_at <= now then
              ready[#ready + 1] = 0
              ready[#ready + 1] = r
            else
              delayed[#delayed + 1] = ARGV[b + 6]
              delayed[#delayed + 1] = id
            end
            out[#out + 1] = id
          end
        end
        many('ZADD', P .. ':s:queued', ids)
        many('ZADD', P .. ':ready', ready)
        many('ZADD', P .. ':delayed', delayed)
        return out
        """)

    /// ARGV: prefix, queue id, owner, now, expires, limit, then one token per slot. Returns the leased tasks' fields.
    static let claim = RedisScriptSource(
        "claim",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local due = redis.call('ZRANGEBYSCORE', P .. ':delayed', '-inf', ARGV[4], 'LIMIT', 0, 1000)
        for _, id in ipairs(due) do
          redis.call('ZREM', P .. ':delayed', id)
          local r = rank_of(id)
          if r then redis.call('ZADD', P .. ':ready', 0, r) else redis.call('ZADD', P .. ':corrupt', id, id) end
        end
        local picked = redis.call('ZRANGEBYLEX', P .. ':ready', '-', '+', 'LIMIT', 0, tonumber(ARGV[6]))
        if #picked == 0 then return {} end
        many('ZREM', P .. ':ready', picked)
        local out, running, leases = {}, {}, {}
        local slot = 0
        for _, r in ipairs(picked) do
          local number = tonumber(string.match(r, ':(%d+)$') or '')
          local id = number and tostring(number)
          local f = id and redis.call('HMGET', tkey(id), 'state', 'max_attempts', 'priority', 'id') or {}
          -- Only a task that is claimable and whole is leased; a member naming anything else (a task
          -- finished or gone, a hash edited by hand) leaves the ready set and is not run.
          if (f[1] == 'queued' or f[1] == 'failed') and tonumber(f[2]) and tonumber(f[3]) and f[4] == id then
            slot = slot + 1
            out[#out + 1] = lease(id, ARGV[3], ARGV[6 + slot], ARGV[5], ARGV[4])
            running[#running + 1] = id
            running[#running + 1] = id
            leases[#leases + 1] = ARGV[5]
            leases[#leases + 1] = id
          elseif id and f[1] ~= nil and f[1] ~= false then
            redis.call('ZADD', P .. ':corrupt', id, id)
          end
        end
        many('ZADD', P .. ':s:running', running)
        many('ZADD', P .. ':leases', leases)
        return out
        """)

    /// ARGV: prefix, queue id, task id, owner, now, expires, token. Returns the task's fields, or nil if not claimable.
    static let claimOne = RedisScriptSource(
        "claim_one",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local state = redis.call('HGET', tkey(ARGV[3]), 'state')
        if state ~= 'queued' and state ~= 'failed' then return false end
        unschedule(ARGV[3])
        local fields = lease(ARGV[3], ARGV[4], ARGV[7], ARGV[6], ARGV[5])
        redis.call('ZADD', P .. ':s:running', ARGV[3], ARGV[3])
        redis.call('ZADD', P .. ':leases', ARGV[6], ARGV[3])
        return fields
        """)

    /// ARGV: prefix, queue id, task id, token, expires, now. Returns 1, or 0 when the lease is gone.
    static let heartbeat = RedisScriptSource(
        "heartbeat",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        if not holds(ARGV[3], ARGV[4]) then return 0 end
        redis.call('HSET', tkey(ARGV[3]), 'lease_expires_at', ARGV[5], 'updated_at', ARGV[6])
        redis.call('ZADD', P .. ':leases', ARGV[5], ARGV[3])
        return 1
        """)

    /// ARGV: prefix, queue id, task id, token, now, result, usage ('' none), agent commit ('' none), report ('' none).
    /// Returns 1 or 0.
    static let complete = RedisScriptSource(
        "complete",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local id = ARGV[3]
        if not holds(id, ARGV[4]) then return 0 end
        local k = tkey(id)
        local set = {'state', 'succeeded', 'result', ARGV[6], 'finished_at', ARGV[5], 'updated_at', ARGV[5]}
        local drop = {'error', 'lease_owner', 'lease_token', 'lease_expires_at'}
        if ARGV[7] ~= '' then
          set[#set + 1] = 'usage'
          set[#set + 1] = ARGV[7]
        else
          drop[#drop + 1] = 'usage'
        end
        if ARGV[8] ~= '' then
          set[#set + 1] = 'agent_commit'
          set[#set + 1] = ARGV[8]
        end
        if ARGV[9] ~= '' then
          set[#set + 1] = 'report'
          set[#set + 1] = ARGV[9]
        else
          drop[#drop + 1] = 'report'
        end
        redis.call('HSET', k, unpack(set))
        redis.call('HDEL', k, unpack(drop))
        redis.call('ZREM', P .. ':leases', id)
        redis.call('ZREM', P .. ':s:running', id)
        redis.call('ZADD', P .. ':s:succeeded', id, id)
        return 1
        """)

    /// ARGV: prefix, queue id, task id, token, message, retryable ('1'/'0'), now, jitter (0-1), backoff base, backoff max,
    /// then what to keep ('1' with the next four, '0' none): result, usage ('' none), report ('' none), agent commit ('' none).
    /// Returns the new state, or nil when the lease is gone.
    static let fail = RedisScriptSource(
        "fail",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local id = ARGV[3]
        if not holds(id, ARGV[4]) then return false end
        local k = tkey(id)
        local f = redis.call('HMGET', k, 'attempts', 'max_attempts')
        local attempts, max_attempts = tonumber(f[1]) or 0, tonumber(f[2]) or 0
        local to = 'dead'
        if ARGV[6] == '1' and attempts < max_attempts then to = 'failed' end
        drop_lease(id)
        move(id, 'running', to)
        redis.call('HSET', k, 'error', ARGV[5], 'updated_at', ARGV[7])
        if ARGV[11] == '1' then
          redis.call('HSET', k, 'result', ARGV[12])
          for i, name in ipairs({'usage', 'report', 'agent_commit'}) do
            if ARGV[12 + i] ~= '' then redis.call('HSET', k, name, ARGV[12 + i]) elseif name ~= 'agent_commit' then redis.call('HDEL', k, name) end
          end
        end
        if to == 'failed' then
          local now = tonumber(ARGV[7])
          local ceiling = math.min(tonumber(ARGV[10]), tonumber(ARGV[9]) * 2 ^ math.max(0, math.min(attempts - 1, 62)))
          redis.call('HSET', k, 'run_at', string.format('%.6f', now + tonumber(ARGV[8]) * ceiling))
          redis.call('HDEL', k, 'finished_at')
          schedule(id, now)
        else
          redis.call('HSET', k, 'finished_at', ARGV[7])
        end
        return to
        """)

    /// ARGV: prefix, queue id, task id, token, now, run_at (not claimable before it; `now` for at once).
    /// Returns 1, or 0 when the lease is gone.
    static let release = RedisScriptSource(
        "release",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local id = ARGV[3]
        if not holds(id, ARGV[4]) then return 0 end
        local k = tkey(id)
        local attempts = tonumber(redis.call('HGET', k, 'attempts')) or 0
        drop_lease(id)
        move(id, 'running', 'queued')
        redis.call('HSET', k, 'attempts', math.max(attempts - 1, 0), 'run_at', ARGV[6], 'updated_at', ARGV[5])
        schedule(id, tonumber(ARGV[5]))
        return 1
        """)

    /// ARGV: prefix, queue id, now, batch. Returns how many expired leases it handled (at most `batch`).
    static let rescue = RedisScriptSource(
        "rescue",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local expired = redis.call('ZRANGEBYSCORE', P .. ':leases', '-inf', '(' .. ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))
        local count = 0
        for _, id in ipairs(expired) do
          local k = tkey(id)
          local f = redis.call('HMGET', k, 'state', 'attempts', 'max_attempts', 'lease_owner')
          redis.call('ZREM', P .. ':leases', id)
          if f[1] == 'running' then
            count = count + 1
            local to = 'queued'
            -- No readable max_attempts (a hash edited by hand): dead, not run again.
            if (tonumber(f[2]) or 0) >= (tonumber(f[3]) or 0) then to = 'dead' end
            drop_lease(id)
            move(id, 'running', to)
            redis.call('HSET', k, 'error', 'lease expired: worker ' .. (f[4] or '?') .. ' stopped heartbeating', 'run_at', ARGV[3], 'updated_at', ARGV[3])
            if to == 'dead' then
              redis.call('HSET', k, 'finished_at', ARGV[3])
            else
              redis.call('HDEL', k, 'finished_at')
              schedule(id, tonumber(ARGV[3]))
            end
          end
        end
        return {count, #expired}
        """)

    /// ARGV: prefix, queue id, task id, now. Returns the task's fields; `MINIC_NO_TASK` or `MINIC_STATE STATE`.
    static let cancel = RedisScriptSource(
        "cancel",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local id = ARGV[3]
        local k = tkey(id)
        local state = redis.call('HGET', k, 'state')
        if not state then return redis.error_reply('MINIC_NO_TASK') end
        if state == 'succeeded' or state == 'dead' or state == 'cancelled' then return redis.error_reply('MINIC_STATE ' .. state) end
        unschedule(id)
        drop_lease(id)
        move(id, state, 'cancelled')
        redis.call('HSET', k, 'finished_at', ARGV[4], 'updated_at', ARGV[4])
        return redis.call('HGETALL', k)
        """)

    /// ARGV: prefix, queue id, task id, now. Returns the task's fields; `MINIC_NO_TASK` or `MINIC_STATE STATE`.
    static let retry = RedisScriptSource(
        "retry",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local id = ARGV[3]
        local k = tkey(id)
        local state = redis.call('HGET', k, 'state')
        if not state then return redis.error_reply('MINIC_NO_TASK') end
        if state ~= 'failed' and state ~= 'dead' and state ~= 'cancelled' then return redis.error_reply('MINIC_STATE ' .. state) end
        unschedule(id)
        move(id, state, 'queued')
        redis.call('HSET', k, 'attempts', 0, 'run_at', ARGV[4], 'updated_at', ARGV[4])
        -- The next answer has not been judged: the rating of the last one goes.
        redis.call('HDEL', k, 'finished_at', 'rating')
        redis.call('ZREM', P .. ':r:good', id)
        redis.call('ZREM', P .. ':r:bad', id)
        schedule(id, tonumber(ARGV[4]))
        return redis.call('HGETALL', k)
        """)

    /// ARGV: prefix, queue id, task id, now, rating (stored JSON), verdict (`good`/`bad`). Returns the task's fields;
    /// `MINIC_NO_TASK` or `MINIC_STATE STATE`.
    static let rate = RedisScriptSource(
        "rate",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local id = ARGV[3]
        local k = tkey(id)
        local state = redis.call('HGET', k, 'state')
        if not state then return redis.error_reply('MINIC_NO_TASK') end
        if state ~= 'succeeded' and state ~= 'failed' and state ~= 'dead' and state ~= 'cancelled' then
          return redis.error_reply('MINIC_STATE ' .. state)
        end
        if ARGV[6] ~= 'good' and ARGV[6] ~= 'bad' then return redis.error_reply('MINIC_BAD_VERDICT') end
        redis.call('HSET', k, 'rating', ARGV[5], 'updated_at', ARGV[4])
        redis.call('ZREM', P .. ':r:good', id)
        redis.call('ZREM', P .. ':r:bad', id)
        redis.call('ZADD', P .. ':r:' .. ARGV[6], id, id)
        return redis.call('HGETALL', k)
        """)
}

/// A script's name and body; the prelude is added in front when it becomes a ``RedisScript``.
struct RedisScriptSource: Sendable {
    let script: RedisScript

    init(_ name: String, _ body: String) {
        script = RedisScript(name: name, source: QueueScripts.prelude + body)
    }
}
