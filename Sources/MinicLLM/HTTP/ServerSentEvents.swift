/// One server-sent event: its `event:` name (default `message`) and its joined `data:` lines.
public struct ServerSentEvent: Sendable, Equatable {
    public var event: String
    public var data: String

    public init(event: String, data: String) {
        self.event = event
        self.data = data
    }
}

/// An incremental parser for `text/event-stream` (the WHATWG rules): bytes go in
/// as they arrive, split anywhere — mid-line or mid-UTF-8 sequence — and
/// complete events come out at each blank line. LF, CR and CRLF all end lines.
///
/// What it holds between calls (the unfinished line and the event's data lines)
/// is bounded by `limit`: one endless line without a newline, or an event that
/// never ends, fails instead of growing memory.
public struct ServerSentEventParser: Sendable {
    /// The unfinished line and the event's data passed the parser's limit.
    public struct Overflow: Error, Sendable, Equatable {
        public let limit: Int
    }

    private let limit: Int
    private var buffer: [UInt8] = []
    private var event = ""
    private var data: [String] = []
    private var dataBytes = 0
    private var sawCR = false

    /// - Parameter limit: the most bytes held at once (the pending line plus the event's data).
    public init(limit: Int = .max) {
        self.limit = limit
    }

    /// Feeds bytes; returns the events they completed.
    /// - Throws: ``Overflow`` when the pending line and event data pass the limit.
    public mutating func feed(_ bytes: [UInt8]) throws(Overflow) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        var index = bytes.startIndex
        if sawCR, index < bytes.endIndex {
            sawCR = false
            if bytes[index] == 0x0A { index += 1 }  // The LF of a CRLF split across feeds.
        }
        // A line at a time (not a byte at a time): the bound is checked once per piece.
        while index < bytes.endIndex {
            guard let end = bytes[index...].firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else {
                buffer.append(contentsOf: bytes[index...])
                if buffer.count + dataBytes > limit { throw Overflow(limit: limit) }
                break
            }
            buffer.append(contentsOf: bytes[index..<end])
            if buffer.count + dataBytes > limit { throw Overflow(limit: limit) }
            if let completed = line(String(decoding: buffer, as: UTF8.self)) { events.append(completed) }
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 << 10)
            index = end + 1
            if bytes[end] == 0x0D {
                if index == bytes.endIndex {
                    sawCR = true
                } else if bytes[index] == 0x0A {
                    index += 1
                }
            }
        }
        return events
    }

    private mutating func line(_ line: String) -> ServerSentEvent? {
        if line.isEmpty {
            defer {
                event = ""
                data = []
                dataBytes = 0
            }
            guard !data.isEmpty else { return nil }
            return ServerSentEvent(event: event.isEmpty ? "message" : event, data: data.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }  // A comment.
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(line)
            value = ""
        }
        switch field {
        case "event": event = String(value)
        case "data":
            data.append(String(value))
            dataBytes += value.utf8.count + 1
        default: break  // id, retry: not used by model APIs.
        }
        return nil
    }
}
