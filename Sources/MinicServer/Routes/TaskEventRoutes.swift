import Foundation
import HTTPTypes
import Hummingbird
import MinicGuard
import MinicQueue
import NIOCore
import ServiceLifecycle

/// `GET /v1/tasks/{id}/events`: Server-Sent Events for one task.
///
/// Events, each `data:` one JSON object on one line:
/// - `state`: the task (as `GET /v1/tasks/{id}`) whenever its state or attempts change, first at once;
/// - `text`: `{"text": "..."}`, the answer as it arrives, when this server runs the task: redacted by the
///   secret scanner, and sent word by word (up to the last whitespace; an open PEM block held back), so a
///   secret is never sent before the scanner has seen it whole; should a redaction change text already
///   sent, `reset` carries the whole text so far instead;
/// - `done`: the task as recorded, once it is finished (its `result` is the answer after the guardrails'
///   review, which is what counts); the stream then ends.
/// A comment line every 15 s keeps proxies from closing a quiet stream. The stream ends when the token is
/// revoked and when the server stops.
struct TaskEventRoutes {
    let state: ServerState
    let tasks: TaskRoutes
    /// How often the queue is read.
    static let poll: Duration = .milliseconds(100)

    func add(to group: RouterGroup<APIContext>) {
        group.get("tasks/{id}/events") { _, context in try await events(context) }
    }

    func events(_ context: APIContext) async throws -> Response {
        let (caller, first) = try await tasks.visibleTask(context)
        let state = self.state
        let id = first.id
        let body = ResponseBody { writer in
            var stream = EventStream(writer: writer)
            var last = first
            try await stream.send("state", task: first)
            var sent = ""
            var quiet = ContinuousClock.now
            var changed = ContinuousClock.now
            while !Task.isShuttingDownGracefully, !Task.isCancelled, Self.stillValid(caller, state) {
                if let text = state.live.text(id), let shown = Self.shareable(text), shown != sent {
                    if shown.hasPrefix(sent) {
                        try await stream.send("text", ["text": String(shown.dropFirst(sent.count))])
                    } else {
                        try await stream.send("reset", ["text": shown])
                    }
                    sent = shown
                    quiet = .now
                    changed = .now
                }
                let current = try await state.onQueue { (queue) throws(QueueError) in try queue.task(id) }
                guard let current else { break }
                if current.state != last.state || current.attempts != last.attempts {
                    try await stream.send("state", task: current)
                    quiet = .now
                    changed = .now
                }
                last = current
                if current.state.isFinal {
                    try await stream.send("done", task: current)
                    break
                }
                if ContinuousClock.now - quiet > .seconds(15) {
                    try await stream.comment("keep-alive")
                    quiet = .now
                }
                // Every 100 ms while the task runs or just changed; a task that waits in the queue is read
                // once a second, so many idle streams cost little.
                let busy = current.state == .running || ContinuousClock.now - changed < .seconds(5)
                try await Task.sleep(for: busy ? Self.poll : .seconds(1))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
    }

    /// A stream lasts as long as its token: revoked (or the token file unreadable), it ends.
    static func stillValid(_ caller: Caller, _ state: ServerState) -> Bool {
        guard let tokenID = caller.tokenID else { return true }
        return (try? state.verifier.active().contains(where: { $0.id == tokenID })) ?? false
    }

    /// What of the text so far may be sent: redacted, and only up to the last whitespace, so that a secret
    /// still arriving (a key's first characters, a private key's first lines) is never sent before the
    /// scanner can see it whole. `nil` when the scanner could not finish (the recorded result tells).
    static func shareable(_ text: String) -> String? {
        let (clean, findings) = SharedSecretScanner.shared.redactingSecrets(in: text)
        if findings.contains(where: { $0.ruleID == SecretScanner.unscannedRuleID }) { return nil }
        guard let lastSpace = clean.lastIndex(where: { $0.isWhitespace }) else { return "" }
        var shown = clean[...lastSpace]
        // A PEM block not closed yet: hold it back from its BEGIN line.
        if let begin = shown.range(of: "-----BEGIN", options: .backwards), shown[begin.lowerBound...].range(of: "-----END") == nil {
            shown = shown[..<begin.lowerBound]
        }
        return String(shown)
    }

    /// Writes events in the SSE format.
    struct EventStream {
        var writer: any ResponseBodyWriter
        let encoder = JSONBody.encoder()

        mutating func send(_ event: String, _ value: some Encodable) async throws {
            let data = try encoder.encode(value)
            var buffer = ByteBuffer(string: "event: \(event)\ndata: ")
            buffer.writeBytes(data)
            buffer.writeString("\n\n")
            try await writer.write(buffer)
        }

        mutating func send(_ event: String, task: TaskRecord) async throws {
            var buffer = ByteBuffer(string: "event: \(event)\ndata: ")
            buffer.writeBytes(TaskJSON.encode(task))
            buffer.writeString("\n\n")
            try await writer.write(buffer)
        }

        mutating func comment(_ text: String) async throws {
            try await writer.write(ByteBuffer(string: ": \(text)\n\n"))
        }
    }
}
