import CLibcShims
import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    /// The exit status, or 128 + the signal number when a signal ended it.
    public let status: Int32
    /// stdout and stderr interleaved as written, cut at ``ProcessRunner/outputLimit`` bytes.
    public let output: [UInt8]
    /// Whether the deadline passed and the process group was killed.
    public let timedOut: Bool

    public var outputText: String { String(decoding: output, as: UTF8.self) }
}

/// Runs a program in its own process group with a deadline, capturing its output.
///
/// Uses `posix_spawn` directly (not Foundation's `Process`) so that the child
/// leads a new process group: on timeout the whole group is killed, and
/// anything the program left running in the background is killed when it exits.
public enum ProcessRunner {
    public static let outputLimit = 1 << 20

    /// - Parameters:
    ///   - executable: absolute path of the program.
    ///   - environment: the child's complete environment.
    ///   - directory: the child's working directory.
    ///   - timeout: seconds before the group gets SIGKILL.
    /// - Throws: ``MinicError`` (internal) when the program cannot be started.
    public static func run(
        executable: String, arguments: [String], environment: [String: String], directory: String, timeout: Double
    ) throws(MinicError) -> ProcessResult {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw .internal("pipe: \(String(cString: strerror(errno)))") }
        let (readFD, writeFD) = (pipeFDs[0], pipeFDs[1])
        defer { close(readFD) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 1)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 2)
        // Nothing else of ours leaks into the child (pipes, lock files, other processes' watchers).
        minic_spawn_file_actions_addclosefrom(&actions, 3)
        minic_spawn_file_actions_addchdir(&actions, directory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(writeFD)
        guard spawned == 0 else { throw .internal("cannot run \(executable): \(String(cString: strerror(spawned)))") }

        let deadline = Date().addingTimeInterval(timeout)
        var output: [UInt8] = []
        var timedOut = false
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                timedOut = true
                break
            }
            var poller = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 1000)) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = chunk.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            if output.count < outputLimit { output.append(contentsOf: chunk[0..<min(count, outputLimit - output.count)]) }
        }
        // The group dies with its leader: nothing a hook started outlives it.
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ProcessResult(status: exitStatus, output: output, timedOut: timedOut)
    }
}
