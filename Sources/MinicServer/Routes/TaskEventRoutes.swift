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
/// - `text`: `{"text": "..."}`, the answer as it arrives, when this server runs the task: released line by
///   line through the sandbox's ``StreamingRedactor`` (a private key block held until its END line, a run of
///   base64 lines until it ends), so a secret is never sent before the scanner has seen it whole;
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
        let key = caller.tokenID ?? "local"
        guard state.openStream(key) else {
            var error = APIError(.tooManyRequests, "rate_limited", "too many open event streams (\(ServerState.streamsPerToken) a token); close one first")
            error.headers[.retryAfter] = "5"
            throw error
        }
        let body = ResponseBody { writer in
            defer { state.closeStream(key) }
            var stream = EventStream(writer: writer)
            var last = first
            try await stream.send("state", task: first)
            // The raw text taken from the live output so far, and the redactor that releases it line by line.
            var taken = 0
            let redactor = StreamingRedactor()
            var quiet = ContinuousClock.now
            var changed = ContinuousClock.now
            while !Task.isShuttingDownGracefully, !Task.isCancelled, Self.stillValid(caller, state) {
                if let text = state.live.text(id), text.utf8.count > taken {
                    let fresh = Array(text.utf8.dropFirst(taken))
                    taken = text.utf8.count
                    let released = redactor.feed(fresh)
                    if !released.isEmpty {
                        try await stream.send("text", ["text": String(decoding: released, as: UTF8.self)])
                        quiet = .now
                        changed = .now
                    }
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
