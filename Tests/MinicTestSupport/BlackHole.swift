import Foundation

/// A TCP server on a loopback port that accepts connections and never answers: the origin libgit2
/// cannot time out on. Stopped (its connections closed) by ``stop()`` or when released.
public final class BlackHole {
    private let process = Process()
    /// The port it listens on.
    public let port: Int

    /// Starts it (python3); `nil` when it could not.
    public init?() {
        let script = """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', 0)); s.listen(64)
            print(s.getsockname()[1]); sys.stdout.flush()
            held = []
            while True:
                c, _ = s.accept(); held.append(c)
            """
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        self.port = port
    }

    /// A `git://` URL into it.
    public var url: String { "git://127.0.0.1:\(port)/origin" }

    public func stop() {
        guard process.isRunning else { return }
        // SIGKILL: a disposition inherited from the test process may ignore SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
