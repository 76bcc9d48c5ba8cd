import Foundation

/// The loopback Messages API server of Tests/Fixtures/messages_server.py, started
/// on a free port for one test and stopped with it.
public final class MessagesServer {
    public let port: Int
    public let logPath: String
    private let process: Process
    private let directory = TemporaryDirectory("messages-server")

    public init() throws {
        logPath = directory.path + "/requests.jsonl"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Fixtures/messages_server.py"
        ).path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, logPath]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard let line = String(data: output.fileHandleForReading.availableData, encoding: .utf8),
            let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw NSError(domain: "MessagesServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "the test server did not start"])
        }
        self.port = port
    }

    deinit {
        // SIGKILL, not SIGTERM: a server started from an async test inherits the cooperative
        // thread's signal mask, with SIGTERM blocked, and waiting for it would hang the run.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The requests the server received, in order.
    public var requests: [[String: Any]] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The 429s the `limited:N:W` models answered: `model` and `time`.
    public var limitedAnswers: [[String: Any]] {
        guard let text = try? String(contentsOfFile: logPath + ".limited", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// When each request for `model` arrived (Unix seconds, in order).
    public func requestTimes(model: String) -> [Double] {
        requests.filter { ($0["body"] as? [String: Any])?["model"] as? String == model }.compactMap { $0["time"] as? Double }
    }

    /// The largest number of `times` (seconds) within any `window` seconds, both ends included.
    public static func mostWithin(_ window: Double, _ times: [Double]) -> Int {
        let sorted = times.sorted()
        var most = 0
        var first = 0
        for (index, time) in sorted.enumerated() {
            while time - sorted[first] > window { first += 1 }
            most = max(most, index - first + 1)
        }
        return most
    }

    /// The endless streams whose client closed the connection: `model` and the bytes `sent` by then.
    public var closedStreams: [[String: Any]] {
        guard let text = try? String(contentsOfFile: logPath + ".closed", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}
