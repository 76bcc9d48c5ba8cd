import Foundation
import Hummingbird
import MinicCore
import MinicQueue
import NIOCore

/// JSON in and out, with the fields the CLI's `--json` writes (snake_case keys as each view names them,
/// ISO-8601 dates), so a script reads the same document from both (keys unsorted: sorting costs every request).
enum JSONBody {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data: Data
        do {
            data = try encoder().encode(value)
        } catch {
            // Our own views always encode; should one not, say so rather than send half a document.
            return Response(status: .internalServerError, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":{"code":"internal","message":"a response could not be encoded"}}"#)))
        }
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A task, or a page of them, through ``TaskJSON``.
    static func response(task: TaskRecord, status: HTTPResponse.Status = .ok) -> Response { bytes(TaskJSON.encode(task), status: status) }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The request's body, whole, refused past `limit` bytes (413) and, unless empty, when it is not declared
    /// JSON (`Content-Type: application/json`, else 415): a form post from another site cannot reach a handler.
    static func read(_ request: Request, limit: Int) async throws -> Data {
        let declared = request.headers[.contentType].map(isJSON) ?? false
        // A body announced larger than the limit is refused before any of it is read.
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, "payload_too_large", "the request body is larger than \(limit) bytes (serve --max-body-kb)")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "payload_too_large", "the request body is larger than \(limit) bytes (serve --max-body-kb)")
        }
        guard buffer.readableBytes == 0 || declared else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send JSON (Content-Type: application/json)")
        }
        return Data(buffer.readableBytesView)
    }

    /// `application/json`, with no parameter but `charset=utf-8` (JSON is UTF-8).
    static func isJSON(_ contentType: String) -> Bool {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { return false }
        return parts.dropFirst().allSatisfy { $0 == "charset=utf-8" || $0 == "charset=\"utf-8\"" }
    }

    /// Decodes a request body: one JSON object, no key twice, no key `T` does not know (its `init(from:)`
    /// calls `rejectUnknownKeys`), every field of its type. Errors name the field.
    static func decode<T: Decodable>(_ type: T.Type, _ data: Data, what: String) throws -> T {
        if let duplicate = JSONDuplicateKeys.firstDuplicate(in: Array(data)) {
            throw APIError.badRequest("\(what): \"\(duplicate)\" is given twice")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context) where context.debugDescription == "unknown key":
                throw APIError.badRequest("\(what): unknown field '\(context.codingPath.last?.stringValue ?? "?")'")
            case .keyNotFound(let key, _):
                throw APIError.badRequest("\(what): \"\(key.stringValue)\" is missing")
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                throw APIError.badRequest("\(what): \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type")
            default:
                throw APIError.badRequest("\(what): the body is not a JSON object of the expected shape")
            }
        } catch {
            throw APIError.badRequest("\(what): the body is not JSON")
        }
    }
}
