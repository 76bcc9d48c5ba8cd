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
/// leads a new process group, supervised by ``ChildProcess``: the program runs
/// until it exits (closing its output does not end it), on timeout the whole group
/// is killed, and anything it left running in the background is killed when it exits.
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
        let (child, _) = try spawn(executable: executable, arguments: arguments, environment: environment, directory: directory, inputPipe: false)
        return collect(child, timeout: timeout, from: nil)
    }

    /// Starts a program whose standard input is a pipe minic holds open, so that it can start up and then wait,
    /// reading its input, until ``StartedProcess/finish(timeout:)`` closes the pipe (the program reads end-of-file)
    /// and waits for it as ``run(executable:arguments:environment:directory:timeout:)`` does.
    /// - Throws: ``MinicError`` (internal) when the program cannot be started.
    public static func start(executable: String, arguments: [String], environment: [String: String], directory: String) throws(MinicError) -> StartedProcess {
        let (child, input) = try spawn(executable: executable, arguments: arguments, environment: environment, directory: directory, inputPipe: true)
        return StartedProcess(child: child, input: input)
    }

    /// Output read as it comes until the process exits or `timeout` seconds from `start` (nil: its start) pass.
    static func collect(_ child: ChildProcess, timeout: Double, from start: Date?) -> ProcessResult {
        var output: [UInt8] = []
        let exit = child.wait(timeout: timeout, from: start, outputLimit: outputLimit, stopAtLimit: false) { _, chunk in output += chunk }
        return ProcessResult(status: exit.status, output: output, timedOut: exit.timedOut)
    }

    /// posix_spawn in a new process group, stdout and stderr into one pipe, stdin /dev/null or (`inputPipe`) a pipe
    /// whose write end is returned (else -1).
    private static func spawn(
        executable: String, arguments: [String], environment: [String: String], directory: String, inputPipe: Bool
    ) throws(MinicError) -> (ChildProcess, Int32) {
        var pipeFDs: [Int32] = [-1, -1]
        var inputFDs: [Int32] = [-1, -1]
        // Close-on-exec, so a process another thread spawns later holds no end of them (dup2 clears it on 0, 1 and 2).
        guard pipe(&pipeFDs) == 0 else { throw .internal("pipe: \(String(cString: strerror(errno)))") }
        if inputPipe {
            guard pipe(&inputFDs) == 0 else {
                let reason = String(cString: strerror(errno))
                pipeFDs.forEach { close($0) }
                throw .internal("pipe: \(reason)")
            }
        }
        let (readFD, writeFD) = (pipeFDs[0], pipeFDs[1])
        for descriptor in pipeFDs + inputFDs where descriptor >= 0 { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if inputPipe {
            posix_spawn_file_actions_adddup2(&actions, inputFDs[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
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
        if inputPipe { close(inputFDs[0]) }
        guard spawned == 0 else {
            close(readFD)
            if inputPipe { close(inputFDs[1]) }
            throw .internal("cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        // The child owns the read end from here, and waits for the process, not for end-of-file.
        return (ChildProcess(adopting: pid, outputs: [readFD]), inputFDs[1])
    }
}
