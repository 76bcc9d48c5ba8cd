import Foundation
import HTTPTypes
import Hummingbird
import MinicGuard
import MinicQueue
import NIOCore

/// `GET /v1/tasks/{id}/events`: Server-Sent Events for one task.
///
/// Events, each `data:` one JSON object on one line:
/// - `state`: the task (as `GET /v1/tasks/{id}`) whenever its state or attempts change, first at once;
/// - `text`: `{"text": "..."}`, the answer as it arrives, when this server runs the task; secrets the
///   scanner finds are redacted, and should a redaction change text already sent, `reset` carries the
///   whole text so far instead;
/// - `done`: the task as recorded, once it is finished (its `result` is the answer after the guardrails'
///   review, which is what counts); the stream then ends.
/// A comment line every 15 s keeps proxies from closing a quiet stream.
struct TaskEventRoutes {
    let state: ServerState
    let tasks: TaskRoutes
    /// How often the queue is read.
    static let poll: Duration = .milliseconds(100)

    func add(to group: RouterGroup<APIContext>) {
        group.get("tasks/{id}/events") { _, context in try await events(context) }
    }

    func events(_ context: APIContext) async throws -> Response {
        let (_, first) = try await tasks.visibleTask(context)
        let state = self.state
        let id = first.id
        let body = ResponseBody { writer in
            var stream = EventStream(writer: writer)
            var last = first
            try await stream.send("state", first)
            var sent = ""
            var quiet = ContinuousClock.now
            while true {
                if let text = state.live.text(id) {
                    let (clean, findings) = SharedSecretScanner.shared.redactingSecrets(in: text)
                    // Text the scanner could not finish waits for the recorded result.
                    if !findings.contains(where: { $0.ruleID == SecretScanner.unscannedRuleID }), clean != sent {
                        if clean.hasPrefix(sent) {
                            try await stream.send("text", ["text": String(clean.dropFirst(sent.count))])
                        } else {
                            try await stream.send("reset", ["text": clean])
                        }
                        sent = clean
                        quiet = .now
                    }
                }
                let current = try await state.onQueue { (queue) throws(QueueError) in try queue.task(id) }
                guard let current else { break }
                if current.state != last.state || current.attempts != last.attempts {
                    try await stream.send("state", current)
                    quiet = .now
                }
                last = current
                if current.state.isFinal {
                    try await stream.send("done", current)
                    break
                }
                if ContinuousClock.now - quiet > .seconds(15) {
                    try await stream.comment("keep-alive")
                    quiet = .now
                }
                try await Task.sleep(for: Self.poll)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
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

        mutating func comment(_ text: String) async throws {
            try await writer.write(ByteBuffer(string: ": \(text)\n\n"))
        }
    }
}
