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
public struct ServerSentEventParser: Sendable {
    private var buffer: [UInt8] = []
    private var event = ""
    private var data: [String] = []
    private var sawCR = false

    public init() {}

    /// Feeds bytes; returns the events they completed.
    public mutating func feed(_ bytes: [UInt8]) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if sawCR {
                sawCR = false
                if byte == 0x0A { continue }  // The LF of a CRLF.
            }
            if byte == 0x0A || byte == 0x0D {
                sawCR = byte == 0x0D
                if let completed = line(String(decoding: buffer, as: UTF8.self)) { events.append(completed) }
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.append(byte)
            }
        }
        return events
    }

    private mutating func line(_ line: String) -> ServerSentEvent? {
        if line.isEmpty {
            defer {
                event = ""
                data = []
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
        case "data": data.append(String(value))
        default: break  // id, retry: not used by model APIs.
        }
        return nil
    }
}
