import Foundation

/// A child process leading its own process group, and the read ends of its output
/// pipes: the one supervisor behind hooks, the Python helper and the sandbox.
///
/// It waits for the process to exit (`waitid`), not for end-of-file on its output:
/// a program that closes its output and keeps working runs to its end, and one that
/// exits while something it started in the background holds the pipes open is seen
/// at once. When the leader exits, or the deadline passes, the whole group is killed.
/// The pid and the descriptors are owned here: `deinit` kills and reaps a process
/// nobody waited for (never a zombie) and closes the pipes.
public final class ChildProcess {
    public let pid: pid_t
    /// When it was started: the deadline counts from here.
    public let started: Date
    private let outputs: [Int32]
    private var reaped = false

    /// How a wait ended.
    public struct Exit: Sendable {
        /// The exit status, or 128 + the signal number when a signal ended it.
        public var status: Int32
        /// Whether the deadline passed and the group was killed.
        public var timedOut = false
        /// Whether output went past the limit (and, with `stopAtLimit`, the group was killed).
        public var truncated = false
        /// Whether `cancelled` said so and the group was killed.
        public var cancelled = false
    }

    /// Takes ownership of a started process (which must lead its own process group)
    /// and of the read ends of its output pipes, which are made non-blocking.
    public init(adopting pid: pid_t, outputs: [Int32], started: Date = Date()) {
        precondition(pid > 0, "adopting an invalid pid")
        self.pid = pid
        self.outputs = outputs
        self.started = started
        for descriptor in outputs { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        if !reaped {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        for descriptor in outputs { close(descriptor) }
    }

    /// Reads the output as it comes until the process exits, the deadline passes or (with
    /// `stopAtLimit`) the output passes `outputLimit`; then kills the group, calls `killAll`
    /// (e.g. a cgroup's kill) and reaps the process. Output past the limit is dropped.
    /// - Parameters:
    ///   - timeout: seconds from `start`.
    ///   - start: where the deadline counts from; nil: ``started`` (a process started ahead of its work passes when the work was handed over).
    ///   - onOutput: each chunk kept, with the index of its descriptor in `outputs`.
    public func wait(
        timeout: Double, from start: Date? = nil, outputLimit: Int, stopAtLimit: Bool, onOutput: (Int, ArraySlice<UInt8>) -> Void, killAll: () -> Void = {},
        cancelled: () -> Bool = { false }
    ) -> Exit {
        precondition(!reaped, "waited twice for \(pid)")
        var exit = Exit(status: 0)
        let deadline = (start ?? started).addingTimeInterval(timeout)
        var open = Array(outputs.indices)
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        // Reads what is there now from each open pipe; false once past the limit with `stopAtLimit`.
        func drain(_ ready: [Int]) -> Bool {
            for index in ready {
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(outputs[index], $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count == 0 || (count < 0 && errno != EAGAIN) { open.removeAll { $0 == index } }
                    if count <= 0 { break }
                    let kept = min(count, max(0, outputLimit - total))
                    total += count
                    if kept > 0 { onOutput(index, chunk[0..<kept]) }
                    if total > outputLimit {
                        exit.truncated = true
                        if stopAtLimit { return false }
                    }
                }
            }
            return true
        }
        // Without open pipes only the exit is awaited: short naps at first, as a child usually
        // exits right after closing its output, then longer ones.
        var nap: Int32 = 1
        while true {
            if exited() {
                _ = drain(open)
                break
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                exit.timedOut = true
                break
            }
            // Asked about at least every 50 ms: a cancelled run (Ctrl-C, a worker stopping) is killed like a timed-out one.
            if cancelled() {
                exit.cancelled = true
                break
            }
            var pollers = open.map { pollfd(fd: outputs[$0], events: Int16(POLLIN), revents: 0) }
            let slice = open.isEmpty ? nap : 50
            nap = min(nap * 2, 50)
            let ready = poll(&pollers, nfds_t(pollers.count), min(Int32(remaining * 1000) + 1, slice))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            let readable = zip(open, pollers).filter { $0.1.revents != 0 }.map(\.0)
            if !drain(readable) { break }
        }
        // Everything it started dies with it; the leader is not reaped yet, so its group id is still its own.
        kill(-pid, SIGKILL)
        killAll()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = true
        exit.status = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return exit
    }

    /// Whether the process has exited (or was reaped), without reaping it.
    public var hasExited: Bool { reaped || exited() }

    /// Whether the process has exited, without reaping it (`WNOWAIT`).
    private func exited() -> Bool {
        var info = siginfo_t()
        while true {
            let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if result < 0 && errno == EINTR { continue }
            // Linux zeroes `info` when no child is waitable; an error (no such child) counts as gone.
            return result < 0 || info.si_signo == SIGCHLD
        }
    }
}
