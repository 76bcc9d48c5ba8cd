import Foundation
import MinicBase
import MinicLLM
import MinicQueue

/// The fleet's ``RateLimiter``: the token buckets of every worker sharing a Redis queue, in
/// one hash per ``RateBucketKey`` (`{NAME}:rate:provider|endpoint|model`), each operation
/// one Lua script, so a hundred workers draw from one count instead of one each.
///
/// Time is Redis's own clock (`TIME` inside the script): workers' clocks need not agree.
/// The arithmetic is the protocol's (see ``RateLimiter``), the same as ``LocalRateLimiter``'s.
public final class RedisRateLimiter: RateLimiter {
    let client: RedisClient
    /// The queue's key prefix, `{NAME}`, so the buckets share its Cluster slot.
    let prefix: String
    /// Where a failed correction or pause is reported (they are best effort).
    let report: @Sendable (String) -> Void

    public init(client: RedisClient, prefix: String, report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.client = client
        self.prefix = prefix
        self.report = report
    }

    /// The limiter beside `queue`: the same server and prefix.
    public convenience init(sharing queue: RedisTaskQueue, report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.init(client: queue.client, prefix: queue.prefix, report: report)
    }

    public func acquire(_ cost: RateCost, key: RateBucketKey, limits: RateLimits) throws -> RateGrant {
        let wait = try run("acquire", key: key, limits: limits, requests: Double(cost.requests), tokens: Double(cost.tokens), seconds: 0)
        return RateGrant(key: key, limits: limits, cost: cost, wait: wait)
    }

    public func correct(_ grant: RateGrant, actual: RateCost) {
        do {
            _ = try run(
                "correct", key: grant.key, limits: grant.limits, requests: Double(grant.cost.requests - actual.requests),
                tokens: Double(grant.cost.tokens - actual.tokens), seconds: 0)
        } catch {
            report("rate limit \(grant.key.provider)/\(grant.key.model): the estimate could not be corrected (it stays counted): \(error)")
        }
    }

    public func pause(_ key: RateBucketKey, limits: RateLimits, seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        do {
            _ = try run("pause", key: key, limits: limits, requests: 0, tokens: 0, seconds: seconds)
        } catch {
            report("rate limit \(key.provider)/\(key.model): the fleet could not be paused for \(String(format: "%.1f", seconds)) s: \(error)")
        }
    }

    /// One run of the script; returns the wait it computed.
    private func run(_ operation: String, key: RateBucketKey, limits: RateLimits, requests: Double, tokens: Double, seconds: Double) throws(QueueError)
        -> Double
    {
        func bucket(_ value: (rate: Double, capacity: Double)?) -> [String] {
            guard let value else { return ["", ""] }
            return [String(value.rate), String(value.capacity)]
        }
        let arguments = [prefix, operation, key.description] + bucket(limits.requestBucket) + bucket(limits.tokenBucket) + [
            String(requests), String(tokens), String(seconds),
        ]
        let reply = try RateScript.script.run(client, keys: ["\(prefix):rate:\(key.description)"], arguments: arguments)
        if case .error(let message) = reply { throw .internal("Redis at \(client.url.redacted): rate limit: \(TerminalText.escapedForLog(String(message.prefix(300))))") }
        guard let text = reply.text, let wait = Double(text), wait.isFinite, wait >= 0 else {
            throw .internal("Redis at \(client.url.redacted): the rate limit script answered an unexpected reply")
        }
        return wait
    }
}

/// The rate limiter's one script. ARGV: prefix, operation (`acquire`, `correct`, `pause`), bucket key,
/// request rate and capacity ('' for no limit), token rate and capacity, request amount, token amount,
/// pause seconds. Returns the wait in seconds (as text, microseconds).
enum RateScript {
    static let script = RedisScript(
        name: "rate",
        source: """
            local k = KEYS[1]
            local op = ARGV[2]
            local t = redis.call('TIME')
            local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
            local h = redis.call('HMGET', k, 'lr', 'sr', 'lt', 'st', 'pu')
            local function bucket(li, si, rate, cap)
              if rate == '' then return nil end
              rate, cap = tonumber(rate), tonumber(cap)
              local level, stamp = tonumber(h[li]), tonumber(h[si])
              if level == nil or stamp == nil then level, stamp = cap, now end
              if now > stamp then level, stamp = level + (now - stamp) * rate, now end
              return {level = math.min(cap, level), stamp = stamp, rate = rate, cap = cap}
            end
            local b = {bucket(1, 2, ARGV[4], ARGV[5]), bucket(3, 4, ARGV[6], ARGV[7])}
            local amounts = {tonumber(ARGV[8]), tonumber(ARGV[9])}
            local seconds = tonumber(ARGV[10])
            local paused = tonumber(h[5]) or 0
            local wait = 0
            if op == 'acquire' then
              wait = math.max(0, paused - now)
              for i = 1, 2 do
                if b[i] then
                  b[i].level = b[i].level - amounts[i]
                  if b[i].level < 0 then wait = math.max(wait, -b[i].level / b[i].rate) end
                end
              end
            elseif op == 'correct' then
              for i = 1, 2 do
                if b[i] then b[i].level = math.min(b[i].cap, b[i].level + amounts[i]) end
              end
            elseif op == 'pause' then
              paused = math.max(paused, now + seconds)
              for i = 1, 2 do
                if b[i] then b[i].level = math.min(b[i].level, -seconds * b[i].rate) end
              end
            else
              return redis.error_reply('MINIC_RATE unknown operation')
            end
            local fields = {{'lr', 'sr'}, {'lt', 'st'}}
            for i = 1, 2 do
              if b[i] then
                redis.call('HSET', k, fields[i][1], string.format('%.17g', b[i].level), fields[i][2], string.format('%.17g', b[i].stamp))
              else
                redis.call('HDEL', k, fields[i][1], fields[i][2])
              end
            end
            redis.call('HSET', k, 'pu', string.format('%.17g', paused))
            -- An idle bucket is full again after its burst: nothing to keep past an hour.
            redis.call('EXPIRE', k, 3600)
            return string.format('%.6f', wait)
            """)
}
