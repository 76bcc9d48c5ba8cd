import Foundation
import HTTPTypes
import Hummingbird
import MinicAuth
import MinicBase

/// Authenticates every `/v1` request and applies the per-token rate limit.
///
/// With tokens configured, a request needs `Authorization: Bearer minic_...` naming an active token
/// (checked against the file on every request, so a revocation counts at once). Without any (the server
/// then listens on loopback only), requests act as the local person, but only when they come to a loopback
/// host name from no other site: a page on another origin, or one that rebinds its name to 127.0.0.1,
/// gets 403.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let verifier: TokenVerifier
    let buckets: TokenBuckets
    let localName: String
    let metrics: ServerMetrics
    /// Whether the server listens on loopback only: only then may a home without tokens let requests in.
    let loopbackOnly: Bool

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var context = context
        let caller = try authenticate(request)
        if let wait = buckets.take(caller.tokenID ?? "local") {
            metrics.rateLimited()
            var error = APIError(.tooManyRequests, "rate_limited", "too many requests for this token; retry in \(Int(wait.rounded(.up))) s")
            error.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            throw error
        }
        context.caller = caller
        return try await next(request, context)
    }

    func authenticate(_ request: Request) throws -> Caller {
        let header = request.headers[.authorization]
        var presented: String?
        if let header {
            guard header.count > 7, header.prefix(7).lowercased() == "bearer " else { throw APIError.unauthorized }
            presented = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        let anyActive: Bool
        let record: TokenRecord?
        do {
            (anyActive, record) = try verifier.check(presented)
        } catch {
            // Fail closed: a token file that cannot be read lets nobody in.
            throw APIError(.serviceUnavailable, "unavailable", "the token file cannot be read; no token is accepted until it is fixed")
        }
        if !anyActive && header == nil {
            // Bound beyond loopback (tokens existed at start), the last token revoked since: nobody gets in
            // until a token exists again, never "acts as you" from the network.
            guard loopbackOnly else {
                var error = APIError(.unauthorized, "unauthorized", "this server has no active token; create one with `minic token create`")
                error.headers[.wwwAuthenticate] = "Bearer realm=\"minic\""
                throw error
            }
            try Self.checkLocal(request)
            return Caller(localName: localName)
        }
        guard let record else { throw APIError.unauthorized }
        return Caller(record)
    }

    /// Without tokens: only a loopback host name, and no other site's page (Origin, Sec-Fetch-Site).
    static func checkLocal(_ request: Request) throws {
        let host = (request.head.authority ?? "").lowercased()
        let name: Substring
        if host.hasPrefix("[") {
            name = host.prefix(through: host.firstIndex(of: "]") ?? host.index(before: host.endIndex))
        } else {
            name = host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        }
        guard ["127.0.0.1", "localhost", "[::1]"].contains(String(name)) else {
            throw APIError.forbidden("without tokens this server answers only requests to 127.0.0.1 or localhost (Host: \(TerminalText.escapedForLog(String(host.prefix(80)))))")
        }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            throw APIError.forbidden("without tokens this server refuses requests from another site's page")
        }
        if let origin = request.headers[HTTPField.Name("Origin")!], origin != "http://\(host)" {
            throw APIError.forbidden("without tokens this server refuses requests from another site's page")
        }
    }
}
