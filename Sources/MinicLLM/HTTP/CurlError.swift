import CCurl

/// A libcurl failure: its code and libcurl's message (never a header or body, so never a key).
public struct CurlError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String

    public var description: String { "\(message) (curl \(code))" }

    public var isTimeout: Bool { code == Int32(CURLE_OPERATION_TIMEDOUT.rawValue) }
    public var isAborted: Bool { code == Int32(CURLE_ABORTED_BY_CALLBACK.rawValue) }
    /// Failures worth another attempt: could not connect, timed out, connection dropped.
    public var isTransient: Bool {
        [
            CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE,
            CURLE_GOT_NOTHING,
        ]
        .map { Int32($0.rawValue) }.contains(code)
    }
}

/// The one place libcurl codes become Swift errors; `detail` is the handle's error buffer.
func checkCurl(_ code: CURLcode, detail: String = "") throws(CurlError) {
    guard code != CURLE_OK else { return }
    let message = detail.isEmpty ? String(cString: minic_curl_easy_strerror(code)) : detail
    throw CurlError(code: Int32(code.rawValue), message: message)
}

/// libcurl, loaded and set up (`curl_global_init`) once, lazily, by the C loader.
enum CurlGlobal {
    /// Returns when libcurl is ready; asks the loader every time, so the answer is its state now
    /// (a failed load is tried again on the next call, a successful one is kept).
    /// - Throws: ``CurlError`` with code -2 and the loader's one-line reason.
    static func ready() throws(CurlError) {
        var message = [CChar](repeating: 0, count: 512)
        guard minic_curl_load(&message, message.count) != 0 else { return }
        let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw CurlError(code: -2, message: "libcurl could not be set up (Debian: apt-get install libcurl4): \(reason)")
    }
}
