import Foundation
import Hummingbird
import Minic
import MinicAuth
import MinicBase
import MinicUpdates

/// `/v1/proposals`, `/v1/history`, `/v1/rollback`: the update engine over HTTP. Reading and proposing
/// need a review token; merging, rejecting and rolling back name the token's person in `Approved-by:`
/// (or the journal) and require the head the person reviewed (`expect`).
struct ProposalRoutes {
    let state: ServerState

    func add(to group: RouterGroup<APIContext>) {
        group.get("proposals") { request, context in try await list(request, context) }
        group.get("proposals/{id}") { _, context in try await show(context) }
        group.post("proposals") { request, context in try await propose(request, context) }
        group.post("proposals/{id}/merge") { request, context in try await merge(request, context) }
        group.post("proposals/{id}/reject") { request, context in try await reject(request, context) }
        group.get("history") { _, context in try await history(context) }
        group.post("rollback") { request, context in try await rollback(request, context) }
    }

    func list(_ request: Request, _ context: APIContext) async throws -> Response {
        try context.requireCaller().require(.review, to: "listing proposals")
        let status = request.uri.queryParameters.get("status") ?? "open"
        guard ["open", "merged", "rejected", "all"].contains(status) else { throw APIError.badRequest("status must be open, merged, rejected or all") }
        let views = try await call(verifying: false) { engine throws(MinicError) in
            try engine.list(all: status != "open").filter { status == "all" || $0.proposal.status.rawValue == status }
                .map { ProposalView($0.proposal, counts: CountsView($0.counts), rolledBack: $0.rolledBack) }
        }
        return JSONBody.response(["proposals": views])
    }

    func show(_ context: APIContext) async throws -> Response {
        try context.requireCaller().require(.review, to: "reading a proposal")
        let id = try Self.proposalID(context)
        return JSONBody.response(try await call(verifying: false) { engine throws(MinicError) in try ShowView.checked(ProposalDetails.load(id, engine: engine)) })
    }

    func propose(_ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        try caller.require(.review, to: "proposing a change")
        let body = try JSONBody.decode(ProposeBody.self, try await JSONBody.read(request, limit: state.settings.maxBodyBytes), what: "a proposal")
        guard !body.patch.isEmpty else { throw APIError.badRequest("a proposal needs \"patch\": a unified diff as git diff writes it") }
        var proposal = ProposalRequest(title: body.title, message: body.message, allowAutoMerge: body.autoMerge ?? true)
        proposal.source = .patch(Array(body.patch.utf8))
        // The token's person proposes (author and `Proposed-by:`); without tokens, the acting person.
        proposal.proposer = caller.signature
        let made = proposal
        let view = try await call { engine throws(MinicError) in ProposeView(try engine.propose(made)) }
        var response = JSONBody.response(view, status: .created)
        response.headers[.location] = "/v1/proposals/\(view.id)"
        return response
    }

    func merge(_ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        try caller.require(.review, to: "merging")
        let id = try Self.proposalID(context)
        let body = try JSONBody.decode(MergeBody.self, try await JSONBody.read(request, limit: 64 << 10), what: "a merge")
        let expect = try Self.expect(body.expect)
        let approver = caller.signature
        return JSONBody.response(
            try await call { engine throws(MinicError) in MergeView(try engine.merge(id, options: MergeOptions(rule: .review, expect: expect, approver: approver))) })
    }

    func reject(_ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        try caller.require(.review, to: "rejecting")
        let id = try Self.proposalID(context)
        let data = try await JSONBody.read(request, limit: 64 << 10)
        let why = data.isEmpty ? nil : try JSONBody.decode(RejectBody.self, data, what: "a rejection").reason
        let actor = caller.signature
        return JSONBody.response(try await call { engine throws(MinicError) in try engine.reject(id, reason: why, actor: actor) })
    }

    func history(_ context: APIContext) async throws -> Response {
        try context.requireCaller().require(.review, to: "reading the history")
        return JSONBody.response(try await call(verifying: false) { engine throws(MinicError) in HistoryView(events: try engine.history(), head: try engine.home.head().commit.hex) })
    }

    func rollback(_ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try context.requireCaller()
        try caller.require(.review, to: "rolling back")
        let body = try JSONBody.decode(RollbackBody.self, try await JSONBody.read(request, limit: 64 << 10), what: "a rollback")
        let target = body.to
        guard !target.isEmpty, target.utf8.count <= 200 else { throw APIError.badRequest("a rollback needs \"to\": the commit to return to") }
        let expect = try Self.expect(body.expect)
        let actor = caller.signature
        return JSONBody.response(
            // As `minic update rollback`: main's own approvals may fail (this is how a person leaves such a head); the
            // target's must verify, which the engine checks.
            try await call(verifying: false) { engine throws(MinicError) in
                RollbackView(try engine.rollback(to: target, options: RollbackOptions(force: false, expect: expect, actor: actor)))
            })
    }

    // MARK: helpers

    func call<T: Sendable>(verifying: Bool = true, _ body: @escaping @Sendable (UpdateEngine) throws(MinicError) -> T) async throws -> T {
        do {
            return try await state.engine(verifying: verifying, body)
        } catch {
            throw APIError.from(error)
        }
    }

    /// `expect` is required: a person approves the head they reviewed, never whatever the head is by then.
    static func expect(_ expect: String?) throws -> String {
        guard let expect, (12...40).contains(expect.count), expect.allSatisfy(\.isHexDigit) else {
            throw APIError.badRequest("\"expect\" is required: the commit you reviewed (12-40 hex digits)")
        }
        return expect
    }

    static func proposalID(_ context: APIContext) throws -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty, id.utf8.count <= 200 else { throw APIError.notFound("no such proposal") }
        return id
    }
}

/// `GET /v1/history`: the journal, newest first, and where main is now (what a rollback sends as `expect`).
struct HistoryView: Encodable, Sendable {
    let events: [UpdateEvent]
    let head: String
}

struct ProposeBody: Decodable {
    let title: String?
    let message: String?
    let patch: String
    let autoMerge: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case title, message, patch
        case autoMerge = "auto_merge"
    }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        patch = try container.decode(String.self, forKey: .patch)
        autoMerge = try container.decodeIfPresent(Bool.self, forKey: .autoMerge)
    }
}

struct MergeBody: Decodable {
    let expect: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case expect }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        expect = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .expect)
    }
}

struct RejectBody: Decodable {
    let reason: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case reason }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        reason = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .reason)
    }
}

struct RollbackBody: Decodable {
    let to: String
    let expect: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case to, expect }

    init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        to = try container.decode(String.self, forKey: .to)
        expect = try container.decodeIfPresent(String.self, forKey: .expect)
    }
}

extension ShowView {
    /// A proposal's details with its diff (never the stat form).
    static func checked(_ details: ProposalDetails) throws(MinicError) -> ShowView {
        do {
            return try ShowView(details, stat: false)
        } catch let error as MinicError {
            throw error
        } catch {
            throw .internal("the diff of \(details.review.proposal.id) cannot be shown: \(error)")
        }
    }
}
