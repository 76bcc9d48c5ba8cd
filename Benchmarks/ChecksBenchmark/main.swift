// What a task's check adds over running the same command directly: the check through `CheckRunner.run` (the
// path `--check` takes: the analysis of what the answer writes, a fresh scratch copy, the sandbox), next to
// `/bin/sh -c CMD` spawned with posix_spawn in a fresh directory holding the same files, interleaved in one run.
// As in a task, the analysis's helper is prepared (`CheckRunner.prepare`) while "the model answers": a 100 ms pause.
// Also times, on the same files, `CheckRunner.run` with no command (the analysis alone, prepared and cold) and
// `Sandbox.run` alone on a prepared directory (the sandbox and the command), so that the added time splits into
// analysis, scratch copy and sandbox start. Prints one line per measurement and command:
//   <measurement> <command, spaces as _> <p50 ms> <p99 ms> <samples>
// Usage: minic-checks-bench [RUNS] [WARMUP] COMMAND ...   (default 30 runs after 3 warm-up rounds; a command whose
// rounds pass 25 s stops early, with at least 5 runs, so that the whole stays under a minute)
import Foundation
import MinicCore
import MinicGuard
import MinicQueue
import MinicTasks

AllocatorTuning.apply()
var arguments = Array(CommandLine.arguments.dropFirst())
let runs = arguments.first.flatMap(Int.init) ?? 30
if arguments.first.flatMap(Int.init) != nil { arguments.removeFirst() }
let warmup = arguments.first.flatMap(Int.init) ?? 3
if arguments.first.flatMap(Int.init) != nil { arguments.removeFirst() }
let commands = arguments.isEmpty ? ["true", "python3 -m unittest"] : arguments

/// The task: a module and its test (as `Tests/MinicCLITests/TaskChecksCLITests.swift`), and an answer that fixes the module.
let originals = [
    "calc.py": "def add(a, b):\n    return a - b\n",
    "test_calc.py": [
        "import unittest", "from calc import add", "", "", "class AddTest(unittest.TestCase):", "    def test_add(self):",
        "        self.assertEqual(add(2, 3), 5)", "", "", "if __name__ == \"__main__\":", "    unittest.main()", "",
    ].joined(separator: "\n"),
]
let answer = "Here is the fix.\n\n```python title=calc.py\ndef add(a, b):\n    return a + b\n```\n"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("minic-checks-bench: \(message)\n".utf8))
    exit(1)
}

/// A fresh directory holding the task's files as the answer leaves them (what a check's scratch copy holds).
func preparedDirectory(_ edits: AnswerEdits) -> String {
    guard let directory = try? Sandbox.makeTemporaryDirectory() else { fail("cannot make a temporary directory") }
    var files = originals
    for (path, content) in edits.files { files[path] = content }
    for (path, content) in files where !FileManager.default.createFile(atPath: directory + "/" + path, contents: Data(content.utf8)) {
        fail("cannot write \(path)")
    }
    return directory
}

func remove(_ directory: String) { try? FileManager.default.removeItem(atPath: directory) }

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

func percentile(_ samples: [Double], _ p: Double) -> Double {
    let sorted = samples.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

let edits: AnswerEdits
do throws(MinicError) { edits = try AnswerEdits.extract(answer: answer, originals: originals) } catch { fail("the answer: \(error.message)") }
// A fresh home's settings (`sandbox.*`, `security.*`) and the pipeline's analyser, as `minic run --check` has them.
let config = MinicConfig()
let runner = CheckRunner(config: config, homePath: nil, analyzer: CodeAnalyzer())
let sandbox = Sandbox(config: config.sandbox)
// The sandbox's environment, so that the direct run finds the same programs (`python3`) as the check.
let path = "/usr/local/bin:/usr/bin:/bin"
/// The model's answer, during which a task prepares the analysis (a real one takes seconds).
let modelMicroseconds: useconds_t = 100_000

func checked(_ command: String) {
    let outcome = runner.run(checks: [command], originals: originals, edits: edits, round: 0)
    guard outcome.passed else {
        fail("checked \(command) failed: \(outcome.notExecuted ?? outcome.results.map { "\($0.exitStatus.map(String.init) ?? "-") \($0.stderr)" }.joined())")
    }
}

func analysisAlone() {
    let outcome = runner.run(checks: [], originals: originals, edits: edits, round: 0)
    if outcome.notExecuted != nil { fail("the analysis stopped the answer: \(outcome.findings)") }
}

let budgetNS: UInt64 = 25_000_000_000
for command in commands {
    var samples: [String: [Double]] = [:]
    let began = DispatchTime.now().uptimeNanoseconds
    for iteration in 0..<(warmup + runs) {
        if iteration >= warmup + 5 && DispatchTime.now().uptimeNanoseconds - began > budgetNS { break }
        var round: [String: Double] = [:]
        // Direct: the same shell and command, spawned in a fresh directory with the same files (made and removed untimed).
        let directDirectory = preparedDirectory(edits)
        round["direct"] = milliseconds {
            let result: ProcessResult
            do throws(MinicError) {
                let environment = ["PATH": path, "HOME": directDirectory, "TMPDIR": "/tmp", "LANG": "C.UTF-8"]
                result = try ProcessRunner.run(
                    executable: "/bin/sh", arguments: ["-c", command], environment: environment, directory: directDirectory, timeout: 60)
            } catch { fail("direct \(command): \(error.message)") }
            if result.status != 0 { fail("direct \(command) exited \(result.status): \(result.outputText)") }
        }
        remove(directDirectory)
        // The sandbox alone (its start and the command), on a directory prepared untimed.
        let sandboxDirectory = preparedDirectory(edits)
        round["sandbox"] = milliseconds {
            do throws(MinicError) {
                let result = try sandbox.run(SandboxRequest(command: ["/bin/sh", "-c", command], workdir: sandboxDirectory))
                if result.exitCode != 0 { fail("sandbox \(command) exited \(result.exitCode): \(result.stderr)") }
            } catch { fail("sandbox \(command): \(error.message)") }
        }
        remove(sandboxDirectory)
        // The analysis with nothing prepared (a process's first, or a caller that does not prepare): python3 starts in it.
        round["analysis_cold"] = milliseconds { analysisAlone() }
        // The check, as a task runs it once the model has answered.
        runner.prepare()
        usleep(modelMicroseconds)
        round["checked"] = milliseconds { checked(command) }
        // The analysis alone, prepared the same way.
        runner.prepare()
        usleep(modelMicroseconds)
        round["analysis"] = milliseconds { analysisAlone() }
        // What is left of the check once its analysis and its sandboxed run (as measured beside it) are taken away: the scratch copy.
        round["rest"] = (round["checked"] ?? 0) - (round["analysis"] ?? 0) - (round["sandbox"] ?? 0)
        guard iteration >= warmup else { continue }
        for (name, value) in round { samples[name, default: []].append(value) }
    }
    for name in ["direct", "checked", "analysis", "analysis_cold", "sandbox", "rest"] {
        let values = samples[name] ?? []
        let label = command.replacingOccurrences(of: " ", with: "_")
        print(String(format: "%@ %@ %.3f %.3f %d", name, label, percentile(values, 0.5), percentile(values, 0.99), values.count))
    }
}
