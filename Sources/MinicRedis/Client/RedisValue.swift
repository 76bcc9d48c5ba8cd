import CHiredis

/// One reply from Redis, copied out of hiredis's reply object (which is freed at once).
public enum RedisValue: Sendable, Equatable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case array([RedisValue])
    case null
    /// An error reply (`ERR ...`, `NOSCRIPT ...`, a script's own `error_reply`).
    case error(String)

    /// Copies `reply` (not freeing it).
    init(_ reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING: self = .string(RedisValue.bytes(r))
        case REDIS_REPLY_STATUS: self = .status(String(decoding: RedisValue.bytes(r), as: UTF8.self))
        case REDIS_REPLY_ERROR: self = .error(String(decoding: RedisValue.bytes(r), as: UTF8.self))
        case REDIS_REPLY_INTEGER: self = .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            items.reserveCapacity(Int(r.elements))
            for index in 0..<Int(r.elements) {
                if let element = r.element[index] { items.append(RedisValue(element)) } else { items.append(.null) }
            }
            self = .array(items)
        default: self = .null
        }
    }

    private static func bytes(_ reply: redisReply) -> [UInt8] {
        guard let pointer = reply.str, reply.len > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: Int(reply.len)) { Array(UnsafeBufferPointer(start: $0, count: Int(reply.len))) }
    }

    /// A bulk or status reply as text.
    public var text: String? {
        switch self {
        case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .string: return text.flatMap { Int64($0) }
        default: return nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
