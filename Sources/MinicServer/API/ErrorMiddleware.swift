import Hummingbird
import Logging

/// Turns every error a handler throws into ``APIError``'s JSON answer, and logs the ones that are the
/// server's fault (5xx) with what the request was.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let logger: Logger

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let answer = APIError.from(error)
            if answer.status.code >= 500 {
                logger.error("\(request.method) \(request.uri.path): \(answer.status.code) \(answer.code): \(answer.message)")
            }
            throw answer
        }
    }
}
