import Hummingbird

/// Which methods each path of the API takes, for `405 Method Not Allowed` with an `Allow` header (the router
/// itself answers 404 for a known path with another method).
enum RouteTable {
    static let routes: [(pattern: [String], methods: [String])] = [
        (["v1", "tasks"], ["GET", "POST"]),
        (["v1", "tasks", "*"], ["GET", "DELETE"]),
        (["v1", "tasks", "*", "retry"], ["POST"]),
        (["v1", "tasks", "*", "rating"], ["POST"]),
        (["v1", "tasks", "*", "events"], ["GET"]),
        (["v1", "proposals"], ["GET", "POST"]),
        (["v1", "proposals", "*"], ["GET"]),
        (["v1", "proposals", "*", "merge"], ["POST"]),
        (["v1", "proposals", "*", "reject"], ["POST"]),
        (["v1", "history"], ["GET"]),
        (["v1", "rollback"], ["POST"]),
        (["healthz"], ["GET"]), (["readyz"], ["GET"]), (["metrics"], ["GET"]), (["openapi.json"], ["GET"]), ([], ["GET"]),
        (["page", "app.js"], ["GET"]), (["page", "app.css"], ["GET"]),
    ]

    /// The methods `path` takes, or `nil` for a path the API does not have.
    static func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/").map(String.init)
        for route in routes where route.pattern.count == parts.count {
            if zip(route.pattern, parts).allSatisfy({ $0 == "*" || $0 == $1 }) { return route.methods }
        }
        return nil
    }
}
