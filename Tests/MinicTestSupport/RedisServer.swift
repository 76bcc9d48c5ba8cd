import Foundation

/// A real `redis-server` (Debian's) on a free loopback port, in a temporary directory,
/// with `appendonly yes`, for one test; killed when the test lets go of it.
///
/// ``kill()`` and ``start()`` stop it outright (SIGKILL, as a crash would) and start it
/// again on the same port and directory, so it comes back with what its append-only
/// file holds.
public final class RedisServer {
    public let port: Int
    public let directory = TemporaryDirectory("redis")
    public let password: String?
    private var process: Process?

    /// Starts the server; throws when `redis-server` is missing or does not answer within 10 s.
    public init(password: String? = nil) throws {
        port = try RedisServer.freePort()
        self.password = password
        try start()
    }

    deinit { kill() }

    /// `redis://[:password@]127.0.0.1:PORT/0`.
    public var url: String { "redis://\(password.map { ":\($0)@" } ?? "")127.0.0.1:\(port)/0" }

    public var pid: Int32? { process?.processIdentifier }

    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = [
            "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path, "--appendonly", "yes",
            "--appendfsync", "everysec", "--save", "", "--daemonize", "no", "--protected-mode", "no", "--logfile", directory.path + "/redis.log",
        ]
        if let password { arguments += ["--requirepass", password] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            // Ours answering, not another test process's server that took the port while this one was down.
            if RedisServer.answersPing(port: port) && isOurs(process) { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        kill()
        let log = (try? String(contentsOfFile: directory.path + "/redis.log", encoding: .utf8)) ?? ""
        throw NSError(
            domain: "RedisServer", code: 1,
            userInfo: [NSLocalizedDescriptionKey: "redis-server did not start on port \(port): \(log.suffix(500))"])
    }

    /// True when the server on the port reports `process` as its pid (or, behind a password, once
    /// `process` is still running a moment after the port answered: a server that lost the port exits).
    private func isOurs(_ process: Process) -> Bool {
        let info = cli("INFO", "server")
        if let line = info.split(separator: "\n").first(where: { $0.hasPrefix("process_id:") }) {
            return Int32(line.dropFirst("process_id:".count).trimmingCharacters(in: .whitespacesAndNewlines)) == process.processIdentifier
        }
        usleep(200_000)
        return process.isRunning
    }

    /// SIGKILL, as a crash: no shutdown save, only what the append-only file holds survives.
    public func kill() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Runs `redis-cli` against this server and returns its trimmed output.
    @discardableResult
    public func cli(_ arguments: String...) -> String {
        var all = ["-p", String(port), "--no-auth-warning"]
        if let password { all += ["-a", password] }
        return Shell.run("redis-cli", all + arguments).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A TCP port nothing listens on at the moment.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NSError(domain: "RedisServer", code: 2) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw NSError(domain: "RedisServer", code: 3) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// True when something on `port` answers `PING` (with `+PONG`, or `-NOAUTH` from a server with a password).
    static func answersPing(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        let ping = Array("PING\r\n".utf8)
        guard write(fd, ping, ping.count) == ping.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return false }
        let reply = String(decoding: buffer[0..<count], as: UTF8.self)
        return reply.hasPrefix("+PONG") || reply.hasPrefix("-NOAUTH")
    }
}
