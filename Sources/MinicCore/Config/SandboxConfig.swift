/// `sandbox.*`: limits and command lists for code run in the bubblewrap sandbox.
public struct SandboxConfig: Codable, Sendable, Equatable {
    /// Wall-clock limit: past it the whole process tree is killed.
    public var timeoutSeconds: Double
    /// CPU time limit (RLIMIT_CPU).
    public var cpuSeconds: Int
    /// Memory limit in MiB (a cgroup's memory limit where minic can make one, else RLIMIT_AS).
    public var memoryMB: Int
    /// Most processes at once (a cgroup's pids.max where minic can make one, else RLIMIT_NPROC).
    public var maxProcesses: Int
    /// Largest file the command may write, and the size of its `/tmp` (RLIMIT_FSIZE), in MiB.
    public var maxFileMB: Int
    /// Most bytes of stdout and stderr together before the command is killed, in KiB.
    public var maxOutputKB: Int
    /// Whether each run gets its own cgroup for memory and processes (else RLIMIT_AS and RLIMIT_NPROC).
    public var cgroups: Bool
    /// Commands that may run (names or paths; empty: any not denied).
    public var allowCommands: [String]
    /// Commands that never run, wherever they appear in the parsed command.
    public var denyCommands: [String]

    public static let defaultDeny = [
        "sudo", "su", "doas", "pkexec", "ssh", "scp", "sftp", "nc", "ncat", "netcat", "socat", "telnet", "mount", "umount", "mkfs", "mke2fs", "insmod",
        "modprobe", "nsenter", "unshare", "chroot",
    ]

    public init(
        timeoutSeconds: Double = 30, cpuSeconds: Int = 30, memoryMB: Int = 512, maxProcesses: Int = 64, maxFileMB: Int = 64, maxOutputKB: Int = 1024,
        cgroups: Bool = true, allowCommands: [String] = [], denyCommands: [String] = SandboxConfig.defaultDeny
    ) {
        self.cgroups = cgroups
        self.timeoutSeconds = timeoutSeconds
        self.cpuSeconds = cpuSeconds
        self.memoryMB = memoryMB
        self.maxProcesses = maxProcesses
        self.maxFileMB = maxFileMB
        self.maxOutputKB = maxOutputKB
        self.allowCommands = allowCommands
        self.denyCommands = denyCommands
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case timeoutSeconds = "timeout_seconds"
        case cpuSeconds = "cpu_seconds"
        case memoryMB = "memory_mb"
        case maxProcesses = "max_processes"
        case maxFileMB = "max_file_mb"
        case maxOutputKB = "max_output_kb"
        case cgroups
        case allowCommands = "allow_commands"
        case denyCommands = "deny_commands"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SandboxConfig()
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? defaults.timeoutSeconds
        cpuSeconds = try container.decodeIfPresent(Int.self, forKey: .cpuSeconds) ?? defaults.cpuSeconds
        memoryMB = try container.decodeIfPresent(Int.self, forKey: .memoryMB) ?? defaults.memoryMB
        maxProcesses = try container.decodeIfPresent(Int.self, forKey: .maxProcesses) ?? defaults.maxProcesses
        maxFileMB = try container.decodeIfPresent(Int.self, forKey: .maxFileMB) ?? defaults.maxFileMB
        maxOutputKB = try container.decodeIfPresent(Int.self, forKey: .maxOutputKB) ?? defaults.maxOutputKB
        cgroups = try container.decodeIfPresent(Bool.self, forKey: .cgroups) ?? defaults.cgroups
        allowCommands = try container.decodeIfPresent([String].self, forKey: .allowCommands) ?? defaults.allowCommands
        denyCommands = try container.decodeIfPresent([String].self, forKey: .denyCommands) ?? defaults.denyCommands
    }

    func validate(source: String) throws(MinicError) {
        guard timeoutSeconds > 0 else { throw .badInput("\(source): sandbox.timeout_seconds: must be greater than 0") }
        for (key, value) in [("cpu_seconds", cpuSeconds), ("memory_mb", memoryMB), ("max_processes", maxProcesses), ("max_file_mb", maxFileMB), ("max_output_kb", maxOutputKB)]
        where value < 1 {
            throw .badInput("\(source): sandbox.\(key): must be at least 1")
        }
    }
}
