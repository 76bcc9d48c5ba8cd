// Sandbox start-up overhead: the same command run N times directly (posix_spawn,
// as minic runs hooks) and through the sandbox (bubblewrap, seccomp, limits), with
// and without a cgroup per run. Prints the medians and what the sandbox adds.
// Usage: minic-sandbox-bench [RUNS] [COMMAND ...]   (default: 50 runs of /bin/true)
import Foundation
import MinicCore
import MinicGuard

AllocatorTuning.apply()
var arguments = Array(CommandLine.arguments.dropFirst())
let runs = arguments.first.flatMap(Int.init) ?? 50
if !arguments.isEmpty && Int(arguments[0]) != nil { arguments.removeFirst() }
let command = arguments.isEmpty ? ["/bin/true"] : arguments

/// The median of `runs` timings, with a pause before each: tasks do not start sandboxes back to back, and
/// the kernel's cost of moving a process into a cgroup differs between a cold and a warm start.
func median(_ body: () throws -> Void) rethrows -> Double {
    var samples: [Double] = []
    for _ in 0..<runs {
        usleep(50_000)
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return samples.sorted()[samples.count / 2]
}

do {
    let direct = try median {
        _ = try ProcessRunner.run(executable: command[0], arguments: Array(command.dropFirst()), environment: [:], directory: "/tmp", timeout: 30)
    }
    let config = SandboxConfig(denyCommands: [])
    let confinement = try Sandbox(config: config).run(SandboxRequest(command: command)).confinement
    let withCgroup = try median { _ = try Sandbox(config: config).run(SandboxRequest(command: command)) }
    let rlimitOnly = try median { _ = try Sandbox(config: config, cgroups: false).run(SandboxRequest(command: command)) }
    print(String(format: "direct (posix_spawn)            %7.2f ms", direct))
    print("sandbox, " + confinement.padding(toLength: 23, withPad: " ", startingAt: 0) + String(format: "%7.2f ms   adds %6.2f ms", withCgroup, withCgroup - direct))
    print(String(format: "sandbox, rlimit only            %7.2f ms   adds %6.2f ms", rlimitOnly, rlimitOnly - direct))
    print("(target: under 20 ms added; median of \(runs), command: \(command.joined(separator: " ")))")
} catch {
    print("error: \(error)")
    exit(1)
}
