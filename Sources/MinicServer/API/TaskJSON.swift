import Foundation
import MinicQueue

/// A task's JSON, written directly: the same document `JSONEncoder` makes of a ``TaskRecord`` (every key,
/// `null` included; ISO-8601 dates in UTC to the second; `/` unescaped), at a fraction of its cost. Tasks are
/// most of what the API sends, and Foundation's encoder was a tenth of a submit's time. A test holds the two
/// equal on tasks of every shape.
enum TaskJSON {
    static func encode(_ task: TaskRecord) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + task.prompt.utf8.count + (task.result?.utf8.count ?? 0))
        write(task, into: &out)
        return out
    }

    /// The most a page of tasks holds, in bytes: past it the page ends early and `next_cursor` goes on from
    /// there, so a list of large tasks costs the server bounded memory whatever `limit` asks.
    static let pageBudget = 4 << 20

    /// `{"tasks": [...], "next_cursor": ...}`; at least one task, then no more than ``pageBudget`` bytes.
    static func encodePage(_ tasks: [TaskRecord], nextCursor: String?) -> [UInt8] {
        var out: [UInt8] = Array(#"{"tasks":["#.utf8)
        var nextCursor = nextCursor
        for (index, task) in tasks.enumerated() {
            if index > 0 {
                if out.count >= pageBudget {
                    nextCursor = String(tasks[index - 1].id)
                    break
                }
                out.append(UInt8(ascii: ","))
            }
            write(task, into: &out)
        }
        out += Array(#"],"next_cursor":"#.utf8)
        optional(nextCursor, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func write(_ task: TaskRecord, into out: inout [UInt8]) {
        var first = true
        func key(_ name: String) {
            out += Array((first ? "{\"" : ",\"").utf8)
            first = false
            out += Array(name.utf8)
            out += Array("\":".utf8)
        }
        key("id"); out += Array(String(task.id).utf8)
        key("type"); string(task.type, into: &out)
        key("prompt"); string(task.prompt, into: &out)
        key("files")
        out.append(UInt8(ascii: "["))
        for (index, file) in task.files.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(file, into: &out)
        }
        out.append(UInt8(ascii: "]"))
        key("parameters")
        out.append(UInt8(ascii: "{"))
        for (index, (name, value)) in task.parameters.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(name, into: &out)
            out.append(UInt8(ascii: ":"))
            string(value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        key("priority"); out += Array(String(task.priority).utf8)
        key("run_at"); date(task.runAt, into: &out)
        key("state"); string(task.state.rawValue, into: &out)
        key("attempts"); out += Array(String(task.attempts).utf8)
        key("max_attempts"); out += Array(String(task.maxAttempts).utf8)
        key("lease_owner"); optional(task.leaseOwner, into: &out)
        key("lease_expires_at"); optionalDate(task.leaseExpiresAt, into: &out)
        key("result"); optional(task.result, into: &out)
        key("error"); optional(task.error, into: &out)
        key("usage")
        if let usage = task.usage {
            out += Array(#"{"input_tokens":\#(usage.inputTokens),"output_tokens":\#(usage.outputTokens)"#.utf8)
            if let cost = usage.costUSD, cost.isFinite { out += Array(#","cost_usd":\#(cost)"#.utf8) }
            out.append(UInt8(ascii: "}"))
        } else {
            out += Array("null".utf8)
        }
        key("agent_commit"); optional(task.agentCommit, into: &out)
        key("idempotency_key"); optional(task.idempotencyKey, into: &out)
        key("created_at"); date(task.createdAt, into: &out)
        key("updated_at"); date(task.updatedAt, into: &out)
        key("started_at"); optionalDate(task.startedAt, into: &out)
        key("finished_at"); optionalDate(task.finishedAt, into: &out)
        // Options and what a run found are rarer and nested: Foundation's encoder writes them.
        key("options"); encoded(task.options, into: &out)
        key("provider"); optional(task.report?.provider, into: &out)
        key("model"); optional(task.report?.model, into: &out)
        key("checks"); encoded(task.report?.checks ?? [], into: &out)
        key("blocked"); out += Array((task.report?.blocked == true ? "true" : "false").utf8)
        key("not_executed"); optional(task.report?.notExecuted, into: &out)
        key("rating"); encoded(task.rating, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    private static let nestedEncoder: JSONEncoder = {
        let encoder = JSONBody.encoder()
        encoder.outputFormatting.insert(.sortedKeys)  // the same bytes for the same options, every time
        return encoder
    }()

    static func encoded<T: Encodable>(_ value: T?, into out: inout [UInt8]) {
        guard let value, let data = try? nestedEncoder.encode(value) else {
            out += Array("null".utf8)  // options that cannot be read show as null (the task is not run); no rating too
            return
        }
        out += Array(data)
    }

    static func optional(_ text: String?, into out: inout [UInt8]) {
        if let text { string(text, into: &out) } else { out += Array("null".utf8) }
    }

    static func optionalDate(_ value: Date?, into out: inout [UInt8]) {
        if let value { date(value, into: &out) } else { out += Array("null".utf8) }
    }

    /// `"2026-11-30T19:06:27Z"`, as `JSONEncoder`'s `.iso8601` writes it (whole seconds, rounded down).
    static func date(_ value: Date, into out: inout [UInt8]) {
        var seconds = time_t(floor(value.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ number: Int32) {
            out.append(UInt8(ascii: "0") + UInt8(number / 10))
            out.append(UInt8(ascii: "0") + UInt8(number % 10))
        }
        out.append(UInt8(ascii: "\""))
        // Years 0-9999 (JSON's ISO-8601 dates); `String(format:)` would go through NSString on Linux.
        let year = min(max(parts.tm_year + 1900, 0), 9999)
        two(year / 100)
        two(year % 100)
        out.append(UInt8(ascii: "-")); two(parts.tm_mon + 1)
        out.append(UInt8(ascii: "-")); two(parts.tm_mday)
        out.append(UInt8(ascii: "T")); two(parts.tm_hour)
        out.append(UInt8(ascii: ":")); two(parts.tm_min)
        out.append(UInt8(ascii: ":")); two(parts.tm_sec)
        out += Array("Z\"".utf8)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, ... or `\u00XX`; the rest as UTF-8.
    static func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20: out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
