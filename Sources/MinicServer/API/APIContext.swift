import Hummingbird

/// The request context of minic's routes: Hummingbird's core storage and the authenticated caller.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` on every `/v1` route; `nil` on the open ones (health, metrics, the page).
    public var caller: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
        caller = nil
    }

    /// Bodies are read by ``JSONBody/read(_:limit:)`` with the server's own limit.
    public var maxUploadSize: Int { 64 << 20 }

    /// The caller of a `/v1` route (always set there by ``AuthMiddleware``).
    func requireCaller() throws(APIError) -> Caller {
        guard let caller else { throw APIError.unauthorized }
        return caller
    }
}
