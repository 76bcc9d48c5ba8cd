import Foundation
import XCTest

/// A real `minic serve` on a free loopback port, started for one test and stopped (SIGTERM, then SIGKILL)
/// when the test is done with it.
public final class ServeProcess: @unchecked Sendable {
    public let process = Process()
    public private(set) var port = 0
    private let errors = Pipe()
    private let lock = NSLock()
    private var stderrText = ""

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Everything the server wrote on stderr so far.
    public var log: String {
        lock.lock()
        defer { lock.unlock() }
        return stderrText
    }

    /// Starts `minic serve --home HOME --port 0 EXTRA...` and waits (at most `timeout`) until it listens.
    public convenience init(home: String, _ extra: [String] = [], environment: [String: String] = [:], timeout: Double = 30) throws {
        try self.init(arguments: ["serve", "--home", home, "--port", "0"] + extra, environment: environment, timeout: timeout)
    }

    /// Starts `minic ARGUMENTS...` and waits (at most `timeout`) until it says it listens on a loopback port
    /// (`serve`, `worker --metrics-port 0`).
    public init(arguments: [String], environment: [String: String] = [:], timeout: Double = 30) throws {
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = arguments
        process.environment = Shell.testEnvironment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.stderrText += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let range = log.range(of: #"http://(127\.0\.0\.1|0\.0\.0\.0):\d+"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last ?? "") ?? 0
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        stop()
        throw NSError(domain: "ServeProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "minic \(arguments.first ?? "") did not start: \(log)"])
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; returns the exit status (nil when it had to be killed).
    @discardableResult
    public func stop(grace: Double = 15) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        errors.fileHandleForReading.readabilityHandler = nil
    }

    /// One HTTP request on loopback with curl (bounded): status, headers and body.
    public func request(
        _ method: String, _ path: String, token: String? = nil, json: String? = nil, headers: [String: String] = [:], timeout: Double = 20
    ) -> (status: Int, headers: String, body: String) {
        var arguments = ["-sS", "-o", "-", "-D", "/dev/stderr", "-w", "\n%{http_code}", "-X", method, "--max-time", String(Int(timeout)), baseURL + path]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if json != nil {
            if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) { arguments += ["-H", "Content-Type: application/json"] }
            arguments += ["--data-binary", "@-"]
        }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        let result = Shell.run("/usr/bin/curl", arguments, input: json.map { Data($0.utf8) })
        var body = result.stdout
        let status = Int(body.split(separator: "\n").last ?? "") ?? 0
        if let newline = body.lastIndex(of: "\n") { body = String(body[..<newline]) }
        return (status, result.stderr, body)
    }
}
