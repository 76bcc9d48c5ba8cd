import CLibcShims
import Foundation
import MinicCore

/// One running bubblewrap process: supervised as a ``ChildProcess`` (its pid and output
/// pipes), plus the status pipe bubblewrap reports the command's own exit code on.
final class SandboxProcess {
    let child: ChildProcess
    private let statusFD: Int32

    private init(child: ChildProcess, statusFD: Int32) {
        self.child = child
        self.statusFD = statusFD
    }

    deinit { close(statusFD) }

    struct Outcome {
        var status: Int32
        var limit: SandboxLimit?
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var truncated = false
        var durationMS: Double = 0
        /// Whether bubblewrap started the command (it reported a child pid).
        var started = false
    }

    /// Starts `executable` with an empty environment (so that not even bubblewrap's own
    /// `/proc/1/environ` inside the sandbox shows the caller's), `extraFDs` at 3, 4, ...
    /// and the status pipe after them.
    static func start(
        executable: String, arguments: [String], extraFDs: [Int32], cgroupFDs: [Int32], limits: [(Int32, UInt64)], stdin: [UInt8]?
    ) throws(MinicError) -> SandboxProcess {
        let stdout = try pipePair()
        let stderr = try pipePair()
        let status = try pipePair()
        var input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if let stdin {
            // Small inputs only: more than the pipe holds would block here.
            guard stdin.count <= 65536 else {
                close(input)
                throw .badInput("sandbox: stdin is \(stdin.count) bytes; at most 65536 (put larger input in the work directory)")
            }
            let pipe = try pipePair()
            _ = stdin.withUnsafeBytes { write(pipe.write, $0.baseAddress, $0.count) }
            close(pipe.write)
            close(input)
            input = pipe.read
        }
        defer {
            close(input)
            close(stdout.write)
            close(stderr.write)
            close(status.write)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        defer { argv.forEach { free($0) } }
        let extras = extraFDs + [status.write]
        let resources = limits.map(\.0)
        let values = limits.map { UInt64($0.1) }
        var step: Int32 = 0
        var code: Int32 = 0
        let pid = minic_spawn_confined(
            executable, argv, envp, input, stdout.write, stderr.write, extras, Int32(extras.count), cgroupFDs, Int32(cgroupFDs.count), resources,
            values, Int32(limits.count), nil, &step, &code)
        guard pid > 0 else {
            for descriptor in [stdout.read, stderr.read, status.read] { close(descriptor) }
            let steps = ["", "pipe", "fork", "process group", "cgroup", "resource limit", "descriptors", "directory", "exec"]
            let what = Int(step) < steps.count ? steps[Int(step)] : "spawn"
            throw .internal("sandbox unavailable: cannot start \(executable) (\(what): \(String(cString: strerror(code)))); nothing was run")
        }
        return SandboxProcess(child: ChildProcess(adopting: pid, outputs: [stdout.read, stderr.read]), statusFD: status.read)
    }

    /// Reads output until the process exits, the output limit is passed or the deadline passes;
    /// then kills the process group (and, through `killAll`, the cgroup) and reaps it.
    func wait(timeout: Double, maxOutput: Int, cancelled: () -> Bool = { false }, onOutput: (Int32, [UInt8]) -> Void, killAll: () -> Void) -> Outcome {
        var outcome = Outcome(status: 0)
        let exit = child.wait(timeout: timeout, outputLimit: maxOutput, stopAtLimit: true, onOutput: { index, chunk in
            if index == 0 { outcome.stdout += chunk } else { outcome.stderr += chunk }
            onOutput(index == 0 ? 1 : 2, Array(chunk))
        }, killAll: killAll, cancelled: cancelled)
        outcome.status = exit.status
        outcome.truncated = exit.truncated
        if exit.cancelled {
            outcome.limit = .cancelled
        } else if exit.timedOut {
            outcome.limit = .timeout
        } else if exit.truncated {
            outcome.limit = .output
        }
        outcome.durationMS = Date().timeIntervalSince(child.started) * 1000
        let report = readAll(statusFD)
        outcome.started = report.contains("child-pid")
        // bubblewrap reports the command's own status; prefer it to bubblewrap's.
        if let range = report.range(of: "\"exit-code\"") {
            let digits = report[range.upperBound...].drop { !$0.isNumber }.prefix { $0.isNumber }
            if let code = Int32(digits) { outcome.status = code }
        }
        return outcome
    }

    private func readAll(_ descriptor: Int32) -> String {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            data += chunk[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func pipePair() throws(MinicError) -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { throw .internal("sandbox: pipe: \(String(cString: strerror(errno)))") }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }
}
