import Foundation

/// A cgroup made for one sandboxed run, limiting its memory and process count.
///
/// cgroup v2 where minic's own cgroup can hold a child with the `memory` and `pids`
/// controllers; otherwise cgroup v1's `memory` and `pids` hierarchies where they are
/// writable. Where neither is possible, ``make(memoryBytes:maxProcesses:)`` returns
/// `nil` and the sandbox falls back to RLIMIT_AS and RLIMIT_NPROC. The cgroup is
/// emptied (every process killed) and removed in ``destroy()``.
final class SandboxCgroup {
    /// The cgroup directories (one on v2; one per controller on v1).
    let directories: [String]
    let version: Int
    /// Open `cgroup.procs` (v2) or `tasks` (v1) files, which the child writes itself into before exec.
    private(set) var procsDescriptors: [Int32] = []
    private var destroyed = false

    private init(directories: [String], version: Int) {
        self.directories = directories
        self.version = version
    }

    deinit {
        destroy()
    }

    static func make(memoryBytes: Int, maxProcesses: Int) -> SandboxCgroup? {
        let name = "minic-sandbox-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if let cgroup = makeV2(name: name, memoryBytes: memoryBytes, maxProcesses: maxProcesses) { return cgroup }
        return makeV1(name: name, memoryBytes: memoryBytes, maxProcesses: maxProcesses)
    }

    /// Whether the kernel's OOM killer ended a process of this cgroup.
    var oomKilled: Bool {
        let file = version == 2 ? "memory.events" : "memory.oom_control"
        for directory in directories {
            guard let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
                if let count = Int(line.split(separator: " ").last ?? ""), count > 0 { return true }
            }
        }
        return false
    }

    /// Kills every process still in the cgroup and removes it.
    func destroy() {
        guard !destroyed else { return }
        destroyed = true
        for descriptor in procsDescriptors { close(descriptor) }
        for directory in directories {
            if version == 2 { Self.write("1", to: directory + "/cgroup.kill") }
            for _ in 0..<100 {
                let pids = ((try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int32($0) }
                if pids.isEmpty && rmdir(directory) == 0 { break }
                for pid in pids { kill(pid, SIGKILL) }
                usleep(2000)
            }
        }
    }

    private static func makeV2(name: String, memoryBytes: Int, maxProcesses: Int) -> SandboxCgroup? {
        guard FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers"), let own = ownPath(controller: nil) else { return nil }
        let directory = "/sys/fs/cgroup" + (own == "/" ? "" : own) + "/" + name
        guard mkdir(directory, 0o755) == 0 else { return nil }
        let cgroup = SandboxCgroup(directories: [directory], version: 2)
        let controllers = (try? String(contentsOfFile: directory + "/cgroup.controllers", encoding: .utf8)) ?? ""
        guard controllers.contains("memory"), controllers.contains("pids"), write("\(memoryBytes)", to: directory + "/memory.max"),
            write("0", to: directory + "/memory.swap.max") || true, write("\(maxProcesses)", to: directory + "/pids.max"), cgroup.openProcs()
        else {
            cgroup.destroy()
            return nil
        }
        return cgroup
    }

    private static func makeV1(name: String, memoryBytes: Int, maxProcesses: Int) -> SandboxCgroup? {
        guard let memoryOwn = ownPath(controller: "memory"), let pidsOwn = ownPath(controller: "pids") else { return nil }
        let memory = "/sys/fs/cgroup/memory" + (memoryOwn == "/" ? "" : memoryOwn) + "/" + name
        let pids = "/sys/fs/cgroup/pids" + (pidsOwn == "/" ? "" : pidsOwn) + "/" + name
        guard mkdir(memory, 0o755) == 0 else { return nil }
        guard mkdir(pids, 0o755) == 0 else {
            rmdir(memory)
            return nil
        }
        let cgroup = SandboxCgroup(directories: [memory, pids], version: 1)
        // memsw exists only with swap accounting; without it there is no swap to limit.
        let limited = write("\(memoryBytes)", to: memory + "/memory.limit_in_bytes")
        if FileManager.default.fileExists(atPath: memory + "/memory.memsw.limit_in_bytes") { _ = write("\(memoryBytes)", to: memory + "/memory.memsw.limit_in_bytes") }
        guard limited, write("\(maxProcesses)", to: pids + "/pids.max"), cgroup.openProcs() else {
            cgroup.destroy()
            return nil
        }
        return cgroup
    }

    private func openProcs() -> Bool {
        for directory in directories {
            // On v1 the child writes itself (pid 0, one thread after fork) into `tasks`: moving one thread of
            // the writer skips the kernel's global threadgroup lock, whose writer waits out an RCU grace period
            // (10-20 ms) in `cgroup.procs`. v2 allows `cgroup.threads` only in threaded cgroups.
            let descriptor = open(directory + (version == 1 ? "/tasks" : "/cgroup.procs"), O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            procsDescriptors.append(descriptor)
        }
        return true
    }

    /// This process's cgroup path (v2 when `controller` is nil), from /proc/self/cgroup.
    private static func ownPath(controller: String?) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if let controller {
                if fields[1].split(separator: ",").contains(Substring(controller)) { return String(fields[2]) }
            } else if fields[0] == "0" && fields[1].isEmpty {
                return String(fields[2])
            }
        }
        return nil
    }

    @discardableResult
    private static func write(_ text: String, to path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return text.withCString { Foundation.write(descriptor, $0, strlen($0)) } == text.utf8.count
    }
}
