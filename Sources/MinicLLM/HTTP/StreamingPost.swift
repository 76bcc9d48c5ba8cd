import CCurl
import Foundation

/// How long a request may take.
public struct HTTPTimeouts: Sendable, Equatable {
    /// To establish the connection.
    public var connect: Double
    /// With no byte received (a stalled server).
    public var idle: Double
    /// For the whole request.
    public var total: Double

    public init(connect: Double = 10, idle: Double = 60, total: Double = 600) {
        self.connect = connect
        self.idle = idle
        self.total = total
    }
}

/// The status and headers of a response.
public struct HTTPResponseHead: Sendable {
    public var status = 0
    /// The status line's reason phrase (`Unauthorized`), as the server sent it: surface it only cleaned.
    public var reason = ""
    /// Lower-cased names.
    public var headers: [String: String] = [:]
}

/// One HTTP POST through libcurl whose response body is handed over chunk by
/// chunk as it arrives. The easy handle is owned here and freed in `deinit`.
///
/// `perform` blocks its thread; `cancel()` from any thread stops it at libcurl's
/// next progress callback.
final class StreamingPost: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    // Owned with the handle: libcurl writes errors here and reads the body from here during perform.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var bodyBuffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private let cancelled = CancelFlag()
    fileprivate var head = HTTPResponseHead()
    fileprivate var onHead: ((HTTPResponseHead) -> Void)?
    fileprivate var onBody: (([UInt8]) -> Bool)?
    fileprivate var headDelivered = false
    /// Called once when no byte has arrived for ``stallAfter`` seconds (again after data resumes and stops).
    var onStall: ((Double) -> Void)?
    /// Seconds of silence before ``onStall``.
    var stallAfter = 10.0
    private var lastReceived: Int64 = -1
    private var lastChange = ContinuousClock.now
    private var stallReported = false

    init() throws(CurlError) {
        try CurlGlobal.ready()
        guard let handle = minic_curl_easy_init() else { throw CurlError(code: -1, message: "curl_easy_init failed") }
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        // https://curl.se/libcurl/c/curl_easy_cleanup.html: no callbacks run after this.
        minic_curl_easy_cleanup(handle)
        minic_curl_slist_free_all(headerList)
        errorBuffer.deallocate()
        bodyBuffer.deallocate()
    }

    func cancel() { cancelled.raise() }

    /// libcurl's progress callback (about once a second, on the transfer's thread): stops a cancelled
    /// transfer, and tells of a silence long enough for a person to wonder.
    fileprivate func progress(received: Int64) -> Int32 {
        if cancelled.isRaised { return 1 }
        let now = ContinuousClock.now
        if received != lastReceived {
            lastReceived = received
            lastChange = now
            stallReported = false
        } else if !stallReported, let onStall, now - lastChange > .seconds(stallAfter) {
            stallReported = true
            onStall((now - lastChange) / .seconds(1))
        }
        return 0
    }

    /// Sends `body` to `url` and calls `onHead` once the headers are in, then `onBody`
    /// with each chunk (return `false` to stop).
    /// - Throws: ``CurlError`` for transport failures, timeouts and cancellation.
    func perform(
        url: String, headers: [String], body: [UInt8], timeouts: HTTPTimeouts, onHead: @escaping (HTTPResponseHead) -> Void,
        onBody: @escaping ([UInt8]) -> Bool
    ) throws(CurlError) {
        self.onHead = onHead
        self.onBody = onBody
        for header in headers { headerList = minic_curl_slist_append(headerList, header) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        bodyBuffer.deallocate()
        bodyBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, body.count), alignment: 1)
        bodyBuffer.copyBytes(from: body)
        try set(CURLOPT_URL, string: url)
        try set(CURLOPT_POST, 1)
        try setPointer(CURLOPT_POSTFIELDS, bodyBuffer.baseAddress)
        try set(CURLOPT_POSTFIELDSIZE_LARGE, off: curl_off_t(body.count))
        try setPointer(CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
        try setPointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(timeouts.connect * 1000))
        try set(CURLOPT_TIMEOUT_MS, Int(timeouts.total * 1000))
        // Idle: fewer than 1 byte a second for `idle` seconds aborts the transfer.
        try set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try set(CURLOPT_LOW_SPEED_TIME, max(1, Int(timeouts.idle.rounded(.up))))
        try set(CURLOPT_NOPROGRESS, 0)
        try checkCurl(
            minic_curl_setopt_progress_callback(handle) { context, _, received, _, _ in
                guard let context else { return 0 }
                return Unmanaged<StreamingPost>.fromOpaque(context).takeUnretainedValue().progress(received: Int64(received))
            })
        try setPointer(CURLOPT_XFERINFODATA, context)
        try checkCurl(
            minic_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                guard let data, let context else { return 0 }
                let post = Unmanaged<StreamingPost>.fromOpaque(context).takeUnretainedValue()
                post.header(String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self))
                return size * count
            })
        try setPointer(CURLOPT_HEADERDATA, context)
        try checkCurl(
            minic_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                guard let data, let context else { return 0 }
                let post = Unmanaged<StreamingPost>.fromOpaque(context).takeUnretainedValue()
                post.deliverHead()
                let chunk = Array(UnsafeRawBufferPointer(start: data, count: size * count))
                return post.onBody?(chunk) == false ? 0 : size * count
            })
        try setPointer(CURLOPT_WRITEDATA, context)
        let code = minic_curl_easy_perform(handle)
        if code == CURLE_OK { deliverHead() }
        try checkCurl(code, detail: String(cString: errorBuffer))
    }

    fileprivate func header(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new response (after a 100 Continue or a redirect) starts over.
            head = HTTPResponseHead()
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            head.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            head.reason = parts.count > 2 ? String(parts[2].prefix(1000)) : ""
        } else if let colon = trimmed.firstIndex(of: ":") {
            head.headers[trimmed[..<colon].lowercased()] = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    fileprivate func deliverHead() {
        guard !headDelivered else { return }
        headDelivered = true
        onHead?(head)
    }

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) { try checkCurl(minic_curl_setopt_long(handle, option, value)) }
    private func set(_ option: CURLoption, string: String) throws(CurlError) { try checkCurl(minic_curl_setopt_string(handle, option, string)) }
    private func set(_ option: CURLoption, off: curl_off_t) throws(CurlError) { try checkCurl(minic_curl_setopt_off(handle, option, off)) }
    private func setPointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) throws(CurlError) {
        try checkCurl(minic_curl_setopt_pointer(handle, option, value))
    }
}

/// A flag set from any thread.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    func raise() {
        lock.lock()
        raised = true
        lock.unlock()
    }
}
