import Foundation
import HTTPTypes
import Hummingbird
import Minic
import MinicAuth
import MinicCore
import MinicGuard
import MinicQueue
import MinicTasks

/// `/v1/tasks`: submit, list, show, cancel, retry, rate (events are in ``TaskEventRoutes``).
struct TaskRoutes {
    let state: ServerState

    func add(to group: RouterGroup<APIContext>) {
        group.post("tasks") { request, context in try await submit(request, context) }
        group.get("tasks") { request, context in try await list(request, context) }
        group.get("tasks/{id}") { _, context in try await show(context) }
        group.delete("tasks/{id}") { _, context in try await change(context, "cancel") { (queue, id) throws(QueueError) in try queue.cancel(id, now: Date()) } }
        group.post("tasks/{id}/retry") { _, context in try await change(context, "retry") { (queue, id) throws(QueueError) in try queue.retry(id, now: Date()) } }
        group.post("tasks/{id}/rating") { request, context in try await rate(request, context) }
    }

    /// The longest `Idempotency-Key` taken (printable ASCII).
    static let maxKeyLength = 200

    func submit(_ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let body = try await JSONBody.read(request, limit: state.settings.maxBodyBytes)
        var task: NewTask
        do {
            task = try SubmitLine.parse(body, source: "the request body")
        } catch {
            throw APIError.from(error)
        }
        // Files are paths on this server's disk: only an admin may have the server read them into a task.
        if !task.files.isEmpty {
            guard caller.role.includes(.admin) else {
                throw APIError.forbidden("\"files\" names paths on the server's disk; only an admin token may attach them")
            }
            try await checkServerFiles(task.files)
        }
        // Checks are commands run on this server (in the sandbox, but commands all the same): an admin's business.
        if !task.options.checks.isEmpty, !caller.role.includes(.admin) {
            throw APIError.forbidden("\"checks\" are commands run on the server; only an admin token may give them")
        }
        // A self_update task makes a proposal, which may merge by itself when every path is auto-approved:
        // changing the home is a reviewer's business.
        if task.type == TaskType.selfUpdate.rawValue, !caller.role.includes(.review) {
            throw APIError.forbidden("a self_update task changes the home; it needs a review token")
        }
        let header = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let header, let field = task.idempotencyKey, header != field {
            throw APIError.badRequest("the Idempotency-Key header and \"idempotency_key\" differ")
        }
        let key = header ?? task.idempotencyKey
        if let key {
            guard !key.isEmpty, key.utf8.count <= Self.maxKeyLength, key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
                throw APIError.badRequest("an idempotency key is 1-\(Self.maxKeyLength) printable ASCII characters without spaces")
            }
        }
        // The caller's token is part of every key: one token's key never finds another's task.
        task.idempotencyKey = caller.keyPrefix + (key ?? UUID().uuidString.lowercased())
        let started = Date()
        let submitted: SubmitBatcher.Submitted
        do {
            submitted = try await state.batcher.submit(task)
        } catch {
            throw APIError.from(error)
        }
        let record = submitted.record
        let replayed = key != nil && (submitted.repeated || record.createdAt < started.addingTimeInterval(-0.001))
        var response = JSONBody.response(task: record, status: replayed ? .ok : .created)
        response.headers[.location] = "/v1/tasks/\(record.id)"
        if replayed { response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return response
    }

    /// Files named over HTTP: absolute paths, inside the roots of `security.allowed_roots` that mean a place
    /// (absolute, or `$MINIC_HOME`): `.` and other relative roots are the server's working directory, which
    /// a client cannot know and which may be `/`. The pipeline checks them again, as for the CLI.
    func checkServerFiles(_ files: [String]) async throws {
        if let relative = files.first(where: { !$0.hasPrefix("/") }) {
            throw APIError.badRequest("\(TerminalText.escapedForLog(String(relative.prefix(200)))): over HTTP a file is an absolute path on the server")
        }
        let path = state.homePath
        try await Blocking.run { () throws(MinicError) in
            let home = try Home(openAt: path)
            var security = try home.config().security
            security.allowedRoots = security.allowedRoots.filter { $0.hasPrefix("/") || $0.hasPrefix("$MINIC_HOME") }
            let validator = InputValidator(config: security, homePath: home.path, currentDirectory: "/nonexistent")
            for file in files { _ = try validator.resolveFile(file) }
        }
    }

    struct Page: Sendable {
        let tasks: [TaskRecord]
        let nextCursor: String?
    }

    func list(_ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        let query = request.uri.queryParameters
        var filter = TaskFilter(limit: 50)
        if let text = query.get("state") {
            guard let state = TaskState(rawValue: text) else {
                throw APIError.badRequest("state must be one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.state = state
        }
        if let type = query.get("type") { filter.type = type }
        if let text = query.get("limit") {
            guard let limit = Int(text), (1...500).contains(limit) else { throw APIError.badRequest("limit must be 1-500") }
            filter.limit = limit
        }
        if let text = query.get("cursor") {
            guard let cursor = Int64(text), cursor > 0 else { throw APIError.badRequest("cursor must be a next_cursor this endpoint gave") }
            filter.beforeID = cursor
        }
        let wanted = filter.limit ?? 50
        let asked = filter
        let page = try await state.onQueue { (queue) throws(QueueError) -> Page in
            if caller.role.includes(.review) {
                let tasks = try queue.tasks(asked)
                return Page(tasks: tasks, nextCursor: tasks.count == wanted ? tasks.last.map { String($0.id) } : nil)
            }
            // A submit token sees its own tasks: walk newest first in pages until enough are found,
            // at most 20 pages a request (the cursor goes on from there).
            var found: [TaskRecord] = []
            var walk = asked
            walk.limit = 200
            for _ in 0..<20 {
                let batch = try queue.tasks(walk)
                for task in batch where caller.owns(task) {
                    found.append(task)
                    if found.count == wanted { return Page(tasks: found, nextCursor: String(task.id)) }
                }
                guard batch.count == 200, let last = batch.last else { return Page(tasks: found, nextCursor: nil) }
                walk.beforeID = last.id
            }
            return Page(tasks: found, nextCursor: walk.beforeID.map(String.init))
        }
        return JSONBody.bytes(TaskJSON.encodePage(page.tasks, nextCursor: page.nextCursor))
    }

    /// The task the path names, if the caller may read it (else 404: a task that is not yours does not exist).
    func visibleTask(_ context: APIContext) async throws -> (Caller, TaskRecord) {
        let caller = try context.requireCaller()
        let id = try Self.taskID(context)
        guard let task = try await state.onQueue({ (queue) throws(QueueError) in try queue.task(id) }), caller.canRead(task) else {
            throw APIError.notFound("no task \(id)")
        }
        return (caller, task)
    }

    func show(_ context: APIContext) async throws -> Response {
        JSONBody.response(task: try await visibleTask(context).1)
    }

    /// Cancel or retry: the task's owner, or a review token.
    func change(_ context: APIContext, _ what: String, _ body: @escaping @Sendable (any TaskQueue, Int64) throws(QueueError) -> TaskRecord) async throws -> Response {
        let (_, task) = try await visibleTask(context)
        let id = task.id
        return JSONBody.response(task: try await state.onQueue { (queue) throws(QueueError) in try body(queue, id) })
    }

    /// A person's verdict on a finished task's answer: the task's owner, or a review token (as cancel and retry).
    func rate(_ request: Request, _ context: APIContext) async throws -> Response {
        let (_, task) = try await visibleTask(context)
        let body = try JSONBody.decode(RatingBody.self, try await JSONBody.read(request, limit: 64 << 10), what: "a rating")
        guard let verdict = TaskRating.Verdict(rawValue: body.verdict) else { throw APIError.badRequest("a rating: \"verdict\" is \"good\" or \"bad\"") }
        let id = task.id
        let note = body.note
        let (queue, activity) = (state.queue, state.activity)
        return JSONBody.response(
            task: try await Blocking.run { () throws(MinicError) in try TaskRatings.rate(id, verdict: verdict, note: note, queue: queue, activity: activity) })
    }

    static func taskID(_ context: APIContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else { throw APIError.notFound("a task id is a positive integer") }
        return id
    }
}

/// `POST /v1/tasks/{id}/rating`: `{"verdict": "good"|"bad", "note": "..."}`.
struct RatingBody: Decodable {
    let verdict: String
    let note: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case verdict, note }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        verdict = try container.decode(String.self, forKey: .verdict)
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }
}
