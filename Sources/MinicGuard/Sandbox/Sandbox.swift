import CLibcShims
import Foundation
import MinicCore

/// Runs model-made code and commands, and only ever through bubblewrap: new user,
/// pid, network, ipc, uts and cgroup namespaces, no capabilities, a cleared
/// environment, a read-only system, a fresh `/proc`, a size-limited tmpfs `/tmp`,
/// one writable work directory (never the system's, a user's home, the agent home
/// or its `.git`, `hooks/` or `state/`; its own `.git` stays read-only), a seccomp filter, resource limits and a wall-clock timeout that
/// kills the whole process tree. Fails closed: without bubblewrap or namespaces,
/// nothing runs.
public struct Sandbox: Sendable {
    public let config: SandboxConfig
    /// The agent home, whose `hooks/` and `.git` are never writable from inside.
    public let homePath: String?
    /// The bubblewrap binary, found at init.
    let bwrap: String?
    /// Whether to make a cgroup per run for memory and processes (else rlimits only).
    let cgroups: Bool

    /// Where the work directory appears inside the sandbox.
    public static let workPath = "/work"
    public static let exitUnavailable: Int32 = 125
    public static let exitRefused: Int32 = 126
    /// RLIMIT_NPROC on Linux (Swift's Glibc module does not export the constant).
    static let rlimitNPROC: Int32 = 6

    /// - Parameter cgroups: false to limit memory and processes with rlimits only (no cgroup per run), whatever `sandbox.cgroups` says.
    public init(config: SandboxConfig, homePath: String? = nil, bwrapPath: String? = nil, cgroups: Bool = true) {
        self.config = config
        self.cgroups = cgroups && config.cgroups
        self.homePath = homePath
        bwrap = (bwrapPath.map { [$0] } ?? ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"]).first { access($0, X_OK) == 0 }
    }

    /// Runs `request`, passing output to `onOutput` (1: stdout, 2: stderr) as it arrives — raw, before
    /// secret scanning: show a person only the result's ``SandboxResult/stdout`` and ``SandboxResult/stderr``,
    /// which are redacted.
    /// - Throws: ``MinicError``: refused when the command filter says no; internal when
    ///   the sandbox cannot be made (never running the command unsandboxed instead).
    public func run(_ request: SandboxRequest, onOutput: (Int32, [UInt8]) -> Void = { _, _ in }) throws(MinicError) -> SandboxResult {
        try Trace.span("sandbox: filter") { () throws(MinicError) in try CommandFilter(config).check(request.command) }
        guard let bwrap else {
            throw .internal("sandbox unavailable: bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap); minic never runs code unsandboxed")
        }
        let temporary = request.workdir == nil
        let workdir: String
        if let given = request.workdir { workdir = try Self.checkedWorkdir(given, homePath: homePath) } else { workdir = try Self.makeTemporaryDirectory() }
        defer { if temporary { try? FileManager.default.removeItem(atPath: workdir) } }

        let seccomp = try Trace.span("sandbox: seccomp") { () throws(MinicError) in try SeccompFilter().exportToTemporaryFile() }
        defer { close(seccomp) }
        let memoryBytes = (request.memoryMB ?? config.memoryMB) << 20
        let cgroup = Trace.span("sandbox: cgroup") { cgroups ? SandboxCgroup.make(memoryBytes: memoryBytes, maxProcesses: config.maxProcesses) : nil }
        defer { cgroup?.destroy() }
        var limits: [(Int32, UInt64)] = [(Int32(RLIMIT_CPU.rawValue), UInt64(config.cpuSeconds)), (Int32(RLIMIT_FSIZE.rawValue), UInt64(config.maxFileMB) << 20)]
        if cgroup == nil {
            limits.append((Int32(RLIMIT_AS.rawValue), UInt64(memoryBytes)))
            limits.append((Self.rlimitNPROC, UInt64(config.maxProcesses)))
        }
        let arguments = Trace.span("sandbox: arguments") { bwrapArguments(workdir: workdir, request: request, seccompFD: 3, statusFD: 4) }
        let run = try Trace.span("sandbox: start") { () throws(MinicError) in try SandboxProcess.start(
            executable: bwrap, arguments: arguments, extraFDs: [seccomp], cgroupFDs: cgroup?.procsDescriptors ?? [], limits: limits, stdin: request.stdin) }
        let timeout = request.timeoutSeconds ?? config.timeoutSeconds
        var oomKilled = false
        var outcome = Trace.span("sandbox: run") { run.wait(timeout: timeout, maxOutput: config.maxOutputKB << 10, cancelled: { request.isCancelled?() ?? false }, onOutput: onOutput) {
            // Read before the cgroup (and its counters) goes away.
            oomKilled = cgroup?.oomKilled ?? false
            Trace.span("sandbox: cgroup cleanup") { cgroup?.destroy() }
        } }
        guard outcome.started else {
            let message = String(decoding: outcome.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .internal("sandbox unavailable: bubblewrap could not set up the sandbox (\(message.isEmpty ? "status \(outcome.status)" : message)); nothing was run")
        }
        if outcome.limit == nil {
            if oomKilled {
                outcome.limit = .memory
            } else if outcome.status == 128 + SIGXCPU {
                outcome.limit = .cpu
            } else if outcome.status == 128 + SIGXFSZ {
                outcome.limit = .fileSize
            }
        }
        // Output cut at the limit ends mid-line, maybe mid-secret: a secret's start is no longer a secret the scanner
        // knows, and 30 characters of a 40-character token give it away. The unfinished line goes.
        if outcome.truncated {
            outcome.stdout = Self.withoutUnfinishedLine(outcome.stdout)
            outcome.stderr = Self.withoutUnfinishedLine(outcome.stderr)
        }
        // Model-made code may print a secret it found (an environment file in the work directory): the result holds it redacted, like an answer.
        let (stdout, outRules) = StreamingRedactor.redactWhole(String(decoding: outcome.stdout, as: UTF8.self))
        let (stderr, errRules) = StreamingRedactor.redactWhole(String(decoding: outcome.stderr, as: UTF8.self))
        return SandboxResult(
            exitCode: outcome.limit?.exitStatus ?? outcome.status, limit: outcome.limit, stdout: stdout, stderr: stderr,
            secretsRedacted: outRules + errRules, outputTruncated: outcome.truncated, durationMS: outcome.durationMS,
            confinement: cgroup.map { "cgroup-v\($0.version)" } ?? "rlimit")
    }

    /// `bytes` up to and including its last newline, then a marker in place of the rest.
    static func withoutUnfinishedLine(_ bytes: [UInt8]) -> [UInt8] {
        guard let last = bytes.lastIndex(of: UInt8(ascii: "\n")) else {
            return bytes.isEmpty ? bytes : Array("[minic: an unfinished line cut at sandbox.max_output_kb was withheld]\n".utf8)
        }
        guard last + 1 < bytes.count else { return bytes }
        return Array(bytes[...last]) + Array("[minic: an unfinished line cut at sandbox.max_output_kb was withheld]\n".utf8)
    }

    /// bubblewrap's command line for one run.
    func bwrapArguments(workdir: String, request: SandboxRequest, seccompFD: Int32, statusFD: Int32) -> [String] {
        var arguments = [
            "--unshare-all", "--unshare-user", "--disable-userns", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL", "--die-with-parent",
            "--new-session", "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", Self.workPath, "--setenv", "TMPDIR",
            "/tmp", "--setenv", "LANG", "C.UTF-8", "--ro-bind", "/usr", "/usr",
        ]
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: top) {
                arguments += ["--symlink", target, top]
            } else if FileManager.default.fileExists(atPath: top) {
                arguments += ["--ro-bind", top, top]
            }
        }
        // The parts of /etc that programs need to start; not the rest (no shadow, no host keys).
        for file in [
            "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/localtime",
            "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/mime.types",
        ] {
            arguments += ["--ro-bind-try", file, file]
        }
        // Denied programs are not there at all: each one found on the host is covered by an empty,
        // unexecutable file, so no spelling, copy, link, PATH trick, startup file or /proc/self/fd
        // path can run it (what the command filter cannot see, the kernel still enforces).
        for program in Self.hiddenPrograms(deny: config.denyCommands) {
            arguments += ["--ro-bind", "/dev/null", program]
        }
        if request.network { arguments += ["--share-net", "--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf", "--ro-bind-try", "/etc/hosts", "/etc/hosts"] }
        arguments += ["--proc", "/proc", "--dev", "/dev", "--size", String(config.maxFileMB << 20), "--tmpfs", "/tmp"]
        arguments += ["--bind", workdir, Self.workPath]
        for path in protectedPaths(in: workdir) {
            arguments += ["--ro-bind", workdir + "/" + path, Self.workPath + "/" + path]
        }
        // The root the mounts above hang from stays read-only: nothing but /work and /tmp takes writes.
        arguments += ["--remount-ro", "/"]
        arguments += ["--chdir", Self.workPath, "--seccomp", String(seccompFD), "--json-status-fd", String(statusFD), "--"]
        return arguments + request.command
    }

    /// Paths under the work directory that stay read-only: its `.git`, and the home's `.git`, `hooks/` and `state/` when the
    /// home is inside it. A work directory holding the home is refused before this (``checkedWorkdir(_:homePath:)``); this
    /// stays as a second line.
    func protectedPaths(in workdir: String) -> [String] {
        var paths: [String] = []
        if FileManager.default.fileExists(atPath: workdir + "/.git") { paths.append(".git") }
        if let homePath {
            let home = (homePath as NSString).resolvingSymlinksInPath
            let root = (workdir as NSString).resolvingSymlinksInPath
            if home == root || home.hasPrefix(root + "/") {
                let relative = home == root ? "" : String(home.dropFirst(root.count + 1)) + "/"
                for inside in [".git", "hooks", "state"] where FileManager.default.fileExists(atPath: home + "/" + inside) && !paths.contains(relative + inside) {
                    paths.append(relative + inside)
                }
            }
        }
        return paths
    }

    /// A fresh directory under /tmp (`mkdtemp`, 0700).
    public static func makeTemporaryDirectory() throws(MinicError) -> String {
        var template = Array("/tmp/minic-sandbox.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw .internal("sandbox: cannot make a work directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
