import Foundation
import Hummingbird
import MinicBase
import MinicGuard
import MinicQueue
import NIOCore
import NIOHTTP1

/// An error the API answers with: an HTTP status and `{"error": {"code": "...", "message": "..."}}`.
///
/// `code` is a stable word scripts may branch on (see the OpenAPI document's `ErrorCode`); `message` is one
/// line for a person. Every failure of a handler becomes one of these in ``APIError/from(_:)``, the one place
/// where minic's errors meet HTTP statuses.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        // Messages quote what the request held (a field name, a type, an id): a secret pasted there is not
        // sent back, nor is text the scanner could not finish.
        var response = JSONBody.response(ErrorBody(error: .init(code: code, message: Self.redacted(message))), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
        }
        let error: Detail
    }

    /// `text` with the secrets the scanner finds taken out (all of it, when the scanner could not finish).
    static func redacted(_ text: String) -> String {
        let (clean, findings) = SharedSecretScanner.shared.redactingSecrets(in: text)
        return findings.contains(where: { $0.ruleID == SecretScanner.unscannedRuleID }) ? "(a message that could not be checked for secrets)" : clean
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "bad_input", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "forbidden", message) }
    static var unauthorized: APIError {
        var error = APIError(.unauthorized, "unauthorized", "a valid bearer token is required (Authorization: Bearer minic_...)")
        error.headers[.wwwAuthenticate] = "Bearer realm=\"minic\""
        return error
    }

    /// The API's answer to any error a handler threw: minic's own errors by kind, the queue's by kind,
    /// Hummingbird's as they are; anything else is an internal error whose text is not shown (it may quote
    /// what it should not), only logged.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as MinicError: return from(error)
        case let error as QueueError: return from(MinicError(error))
        case is NIOTooManyBytesError: return APIError(.contentTooLarge, "payload_too_large", "the request body is larger than the limit")
        case is HTTPParserError: return APIError(.badRequest, "bad_request", "the request is not valid HTTP/1.1")
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: return APIError(.contentTooLarge, "payload_too_large", "the request body is larger than the limit")
            case .notFound: return notFound("no such endpoint")
            case .methodNotAllowed: return APIError(.methodNotAllowed, "method_not_allowed", "this endpoint does not take that method")
            default: return APIError(error.status, "bad_request", error.body ?? error.status.reasonPhrase)
            }
        default: return APIError(.internalServerError, "internal", "internal error; see the server's log")
        }
    }

    static func from(_ error: MinicError) -> APIError {
        let message = TerminalText.escapedForLog(error.message)
        switch error.kind {
        case .badInput:
            if error.isTransient { return APIError(.serviceUnavailable, "unavailable", message) }
            if error.isNotFound { return APIError(.notFound, "not_found", message) }
            return APIError(.badRequest, "bad_input", message)
        case .refused: return APIError(.conflict, "refused", message)
        case .internal: return APIError(.internalServerError, "internal", message)
        }
    }
}
