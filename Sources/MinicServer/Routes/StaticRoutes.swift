import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The review page (`/`, `/page/app.js`, `/page/app.css`) and the OpenAPI document (`/openapi.json`),
/// compiled into the binary: nothing is fetched from elsewhere.
struct StaticRoutes {
    func add(to router: Router<APIContext>) {
        router.get("/") { _, _ in Self.file(PackageResources.index_html, type: "text/html; charset=utf-8") }
        router.get("page/app.js") { _, _ in Self.file(PackageResources.app_js, type: "text/javascript; charset=utf-8") }
        router.get("page/app.css") { _, _ in Self.file(PackageResources.app_css, type: "text/css; charset=utf-8") }
        router.get("openapi.json") { _, _ in Self.file(PackageResources.openapi_json, type: "application/json") }
    }

    static func file(_ bytes: [UInt8], type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "no-cache",
                // The page runs only its own script and talks only to this server.
                .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
