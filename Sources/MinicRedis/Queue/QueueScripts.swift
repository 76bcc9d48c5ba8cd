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
///   `lease_token`, `request_digest` and `rank`
/// - `P:ready` (sorted set, all scores 0, ordered by member): the rank
///   `PRIORITY':'RUN_AT':'ID` of each claimable task whose time has come — fixed-width, so
///   the first member is the highest priority, then the earliest `run_at`, then the oldest
/// - `P:delayed` (sorted set by `run_at`): claimable tasks whose time has not come
/// - `P:leases` (sorted set by lease expiry): running tasks
/// - `P:s:STATE` (sorted set by id): the ids in each state; `P:all`: every id
/// - `P:idem` (hash): idempotency key → id
///
/// Every script but `open` first checks that `P:meta` still names the queue the client
/// opened: a server flushed or restarted without its data refuses instead of handing
/// out ids again.
enum QueueScripts {
    static let prelude = """
        local P = ARGV[1]
        local function tkey(id) return P .. ':t:' .. id end
        local function check_queue(expected)
          local found = redis.call('HGET', P .. ':meta', 'queue_id')
          if found ~= expected then return 'MINIC_WRONG_QUEUE ' .. tostring(found) end
          return nil
        end
        local function rank(priority, run_at, id)
          return string.format('%010d:%019.6f:%015d', 2147483647 - priority, run_at, id)
        end
        local function schedule(id, now)
          local k = tkey(id)
          local f = redis.call('HMGET', k, 'priority', 'run_at')
          local run_at = tonumber(f[2])
          local r = rank(tonumber(f[1]), run_at, tonumber(id))
          redis.call('HSET', k, 'rank', r)
          if run_at <= now then
            redis.call('ZADD', P .. ':ready', 0, r)
          else
            redis.call('ZADD', P .. ':delayed', run_at, id)
          end
        end
        local function unschedule(id)
          local r = redis.call('HGET', tkey(id), 'rank')
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
        local function lease(id, owner, token, expires, now)
          local k = tkey(id)
          local state = redis.call('HGET', k, 'state')
          redis.call('HINCRBY', k, 'attempts', 1)
          redis.call('HSET', k, 'lease_owner', owner, 'lease_token', token, 'lease_expires_at', expires, 'updated_at', now)
          redis.call('HSETNX', k, 'started_at', now)
          move(id, state, 'running')
          redis.call('ZADD', P .. ':leases', expires, id)
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

    /// ARGV: prefix, queue id, now, count, then per task 10 fields: type, prompt, files, parameters,
    /// priority, run_at, max_attempts, has key ('1'/'0'), key, digest.
    /// Returns per task the new id (integer) or the existing task's fields (array);
    /// `MINIC_IDEMPOTENCY INDEX ID` when a key was used for another request (nothing written).
    static let enqueue = RedisScriptSource(
        "enqueue",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local now = tonumber(ARGV[3])
        local n = tonumber(ARGV[4])
        local F = 10
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
        local out = {}
        for i = 0, n - 1 do
          local b = 4 + i * F
          local existing = nil
          if ARGV[b + 8] == '1' then existing = redis.call('HGET', P .. ':idem', ARGV[b + 9]) end
          if existing then
            out[#out + 1] = redis.call('HGETALL', tkey(existing))
          else
            local id = redis.call('INCR', P .. ':seq')
            local k = tkey(id)
            redis.call('HSET', k, 'id', id, 'type', ARGV[b + 1], 'prompt', ARGV[b + 2], 'files', ARGV[b + 3], 'parameters', ARGV[b + 4],
              'priority', ARGV[b + 5], 'run_at', ARGV[b + 6], 'state', 'queued', 'attempts', 0, 'max_attempts', ARGV[b + 7],
              'created_at', ARGV[3], 'updated_at', ARGV[3])
            if ARGV[b + 8] == '1' then
              redis.call('HSET', k, 'idempotency_key', ARGV[b + 9], 'request_digest', ARGV[b + 10])
              redis.call('HSET', P .. ':idem', ARGV[b + 9], id)
            end
            redis.call('ZADD', P .. ':s:queued', id, id)
            redis.call('ZADD', P .. ':all', id, id)
            schedule(id, now)
            out[#out + 1] = id
          end
        end
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
          local r = redis.call('HGET', tkey(id), 'rank')
          if r then redis.call('ZADD', P .. ':ready', 0, r) end
        end
        local picked = redis.call('ZRANGEBYLEX', P .. ':ready', '-', '+', 'LIMIT', 0, tonumber(ARGV[6]))
        local out = {}
        for i, r in ipairs(picked) do
          redis.call('ZREM', P .. ':ready', r)
          local id = tostring(tonumber(string.match(r, ':(%d+)$')))
          out[#out + 1] = lease(id, ARGV[3], ARGV[6 + i], ARGV[5], ARGV[4])
        end
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
        return lease(ARGV[3], ARGV[4], ARGV[7], ARGV[6], ARGV[5])
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

    /// ARGV: prefix, queue id, task id, token, now, result, usage ('' none), agent commit ('' none). Returns 1 or 0.
    static let complete = RedisScriptSource(
        "complete",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local id = ARGV[3]
        if not holds(id, ARGV[4]) then return 0 end
        local k = tkey(id)
        drop_lease(id)
        move(id, 'running', 'succeeded')
        redis.call('HSET', k, 'result', ARGV[6], 'finished_at', ARGV[5], 'updated_at', ARGV[5])
        redis.call('HDEL', k, 'error')
        if ARGV[7] ~= '' then redis.call('HSET', k, 'usage', ARGV[7]) else redis.call('HDEL', k, 'usage') end
        if ARGV[8] ~= '' then redis.call('HSET', k, 'agent_commit', ARGV[8]) end
        return 1
        """)

    /// ARGV: prefix, queue id, task id, token, message, retryable ('1'/'0'), now, jitter (0-1), backoff base, backoff max.
    /// Returns the new state, or nil when the lease is gone.
    static let fail = RedisScriptSource(
        "fail",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local id = ARGV[3]
        if not holds(id, ARGV[4]) then return false end
        local k = tkey(id)
        local f = redis.call('HMGET', k, 'attempts', 'max_attempts')
        local attempts, max_attempts = tonumber(f[1]), tonumber(f[2])
        local to = 'dead'
        if ARGV[6] == '1' and attempts < max_attempts then to = 'failed' end
        drop_lease(id)
        move(id, 'running', to)
        redis.call('HSET', k, 'error', ARGV[5], 'updated_at', ARGV[7])
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

    /// ARGV: prefix, queue id, task id, token, now. Returns 1, or 0 when the lease is gone.
    static let release = RedisScriptSource(
        "release",
        """
        local bad = check_queue(ARGV[2]) if bad then return redis.error_reply(bad) end
        local id = ARGV[3]
        if not holds(id, ARGV[4]) then return 0 end
        local k = tkey(id)
        local attempts = tonumber(redis.call('HGET', k, 'attempts'))
        drop_lease(id)
        move(id, 'running', 'queued')
        redis.call('HSET', k, 'attempts', math.max(attempts - 1, 0), 'run_at', ARGV[5], 'updated_at', ARGV[5])
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
            if tonumber(f[2]) >= tonumber(f[3]) then to = 'dead' end
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
        redis.call('HDEL', k, 'finished_at')
        schedule(id, tonumber(ARGV[4]))
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
