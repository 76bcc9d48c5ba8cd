import Hummingbird
import Logging
import MinicBase

/// Turns every error a handler throws into ``APIError``'s JSON answer, and logs the ones that are the
/// server's fault (5xx) with what the request was.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let logger: Logger

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var answer = APIError.from(error)
            if answer.status == .notFound, let methods = RouteTable.methods(for: request.uri.path), !methods.contains(request.method.rawValue) {
                answer = APIError(.methodNotAllowed, "method_not_allowed", "\(request.uri.path) takes \(methods.joined(separator: ", "))")
                answer.headers[.allow] = methods.joined(separator: ", ")
            }
            if answer.status.code >= 500 {
                // The answer hides what an unknown error says (it may quote what it should not); the log keeps its type.
                let cause = error is APIError || error is MinicError ? "" : " (\(type(of: error)))"
                logger.error("\(request.method) \(request.uri.path): \(answer.status.code) \(answer.code): \(APIError.redacted(answer.message))\(cause)")
            }
            throw answer
        }
    }
}
