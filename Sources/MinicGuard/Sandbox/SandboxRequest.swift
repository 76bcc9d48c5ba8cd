import Foundation
import MinicCore

/// What to run in the sandbox and how tightly; unset limits come from `sandbox.*`.
public struct SandboxRequest: Sendable {
    /// The program and its arguments (looked up on the sandbox's PATH).
    public var command: [String]
    /// The one writable directory, mounted at ``Sandbox/workPath``; nil: a fresh temporary directory, removed afterwards.
    public var workdir: String?
    public var timeoutSeconds: Double?
    public var memoryMB: Int?
    /// Share the host's network (off by default: the sandbox has only its own loopback).
    public var network = false
    /// Bytes for the command's stdin (none: /dev/null).
    public var stdin: [UInt8]?
    /// Asked about while the command runs (at least every 50 ms): true kills it (``SandboxLimit/cancelled``).
    public var isCancelled: (@Sendable () -> Bool)?

    public init(command: [String], workdir: String? = nil, timeoutSeconds: Double? = nil, memoryMB: Int? = nil, network: Bool = false) {
        self.command = command
        self.workdir = workdir
        self.timeoutSeconds = timeoutSeconds
        self.memoryMB = memoryMB
        self.network = network
    }
}

/// Which limit ended a run.
public enum SandboxLimit: String, Codable, Sendable {
    case timeout, cpu, memory, output
    case fileSize = "file_size"
    /// Not a limit: the run was cancelled (Ctrl-C, a worker stopping) and the command killed.
    case cancelled

    /// The documented exit status of `minic sandbox run` for this limit.
    public var exitStatus: Int32 {
        switch self {
        case .timeout: return 124
        case .output: return 123
        case .cpu: return 128 + SIGXCPU
        case .fileSize: return 128 + SIGXFSZ
        case .memory: return 137
        case .cancelled: return 130
        }
    }
}

/// How a sandboxed run ended.
public struct SandboxResult: Codable, Sendable {
    /// The command's exit status, 128 + N when signal N ended it, or the limit's status.
    public var exitCode: Int32
    /// The limit that ended it, if one did.
    public var limit: SandboxLimit?
    /// What the command wrote, with every secret the scanner finds redacted.
    public var stdout: String
    /// What the command wrote to stderr, secrets redacted as in ``stdout``.
    public var stderr: String
    /// The rule ids of the secrets redacted from stdout and stderr (`secret-unscanned` where the scanner could not finish).
    public var secretsRedacted: [String] = []
    /// Whether output past `sandbox.max_output_kb` was dropped.
    public var outputTruncated: Bool
    public var durationMS: Double
    /// How memory and processes were limited: `cgroup-v2`, `cgroup-v1` or `rlimit`.
    public var confinement: String

    enum CodingKeys: String, CodingKey {
        case exitCode = "exit_code"
        case limit, stdout, stderr
        case secretsRedacted = "secrets_redacted"
        case outputTruncated = "output_truncated"
        case durationMS = "duration_ms"
        case confinement
    }
}
