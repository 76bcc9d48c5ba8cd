import Foundation
import MinicCore

/// Finds dangerous operations in Python on Python's own AST: a small helper
/// (``helperSource``, standard library only) run by the `python3` on PATH walks
/// each file's `ast` once and reports the classes of Bandit's checks — eval/exec/
/// compile and dynamic import, shells (subprocess with `shell=True`, os.system,
/// os.popen), pickle/marshal/yaml.load/torch.load, tar extraction, weak hashes and
/// ciphers, `verify=False`, binding to all interfaces, hard-coded passwords,
/// temporary-file races, SQL built from strings, and more — through aliases, `__import__`,
/// `importlib`, `getattr`, `globals()`/`vars()`/`__dict__` lookups and ctypes as well. Constant expressions are
/// folded first (`"rm -rf /".split()`, a name bound to a literal list), and the command lines they spell for
/// `os.system`, `subprocess.*` and friends go through ``ShellAnalyzer``'s rules; removals of system paths,
/// dangerous functions used as values and code strings given to code runners are judged as well.
/// Fails closed: a text the helper cannot read or parse, or did not report on, is `py-unanalysed` (medium).
public struct PythonAnalyzer: Sendable {
    public let python: String?
    /// Worker processes for large batches (the helper forks; 1 keeps it in one process).
    public let workers: Int

    public init(python: String? = nil, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.python = python ?? Self.findPython()
        // Bounded: each worker is a python3 process; thousands would only exhaust memory.
        self.workers = min(max(1, workers), 64)
    }

    /// Findings for each file, in order; a file that cannot be read or parsed gets one `py-unanalysed` (medium: "ask").
    public func analyze(files: [String]) throws(MinicError) -> [[CodeFinding]] {
        try run(["files": files], count: files.count)
    }

    /// Findings for each text (model answers, proposal contents), in order.
    public func analyze(texts: [String]) throws(MinicError) -> [[CodeFinding]] {
        try run(["texts": texts], count: texts.count)
    }

    /// Runs the helper on a batch; when the whole run fails (a crash, a kill, a timeout),
    /// each half is tried on its own, down to single texts, so that one text that breaks
    /// the helper is the only one reported unanalysed, not every text that shared its run.
    /// The splitting stops at `deadline` (a helper that hangs would otherwise be waited for
    /// again and again): what is left then is unanalysed.
    private func run(_ request: [String: [String]], count: Int, deadline: Date = Date().addingTimeInterval(900)) throws(MinicError) -> [[CodeFinding]] {
        do {
            return try runOnce(request, count: count)
        } catch {
            guard python != nil, count > 1, Date() < deadline, let (key, items) = request.first, request.count == 1 else { throw error }
            let half = items.count / 2
            return [Array(items[..<half]), Array(items[half...])].flatMap { part -> [[CodeFinding]] in
                do throws(MinicError) {
                    return try run([key: part], count: part.count, deadline: deadline)
                } catch {
                    return part.map { _ in [CodeAnalyzer.unanalysed(error)] }
                }
            }
        }
    }

    private func runOnce(_ request: [String: [String]], count: Int) throws(MinicError) -> [[CodeFinding]] {
        guard count > 0 else { return [] }
        guard let python else { throw .internal("python analysis unavailable: no python3 on PATH") }
        var body: [String: Any] = request
        body["workers"] = count > 8 ? workers : 1
        // A helper started ahead by ``prepare(_:)`` when one waits: the same program, arguments and environment, one
        // request each, like a helper started for it. One that exits with an error is tried again fresh below (it may
        // have died while it waited); one that ran out of time is not run twice.
        if let prepared = Self.takePrepared(python: python) {
            var handedOver = true
            do throws(MinicError) { try Self.writeRequest(body, in: prepared.directory) } catch { handedOver = false }
            if handedOver {
                let result = prepared.process.finish(timeout: Self.timeout)
                if result.status == 0 || result.timedOut { return try Self.readResult(result, directory: prepared.directory, count: count) }
            }
        }
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.writeRequest(body, in: directory)
        // The helper goes in as `-c` text: nothing of it is written anywhere.
        let result = try ProcessRunner.run(
            executable: python, arguments: Self.arguments(directory: directory), environment: Self.environment, directory: directory, timeout: Self.timeout)
        return try Self.readResult(result, directory: directory, count: count)
    }

    /// Seconds a helper's run may take.
    static let timeout: Double = 600
    /// The helper's environment: the system's programs, nothing of minic's.
    static let environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]

    /// python3's arguments for a helper working in `directory`: isolated mode (no user site, no PYTHON* variables), the helper as `-c` text.
    static func arguments(directory: String) -> [String] {
        ["-I", "-c", helperSource, directory + "/request.json", directory + "/out.jsonl"]
    }

    /// A fresh directory (0700) for one helper's request and output.
    static func makeDirectory() throws(MinicError) -> String {
        let directory = NSTemporaryDirectory() + "minic-pyscan-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(directory, 0o700) == 0 else { throw .internal("python analysis: cannot make \(directory)") }
        return directory
    }

    static func writeRequest(_ body: [String: Any], in directory: String) throws(MinicError) {
        do {
            try JSONSerialization.data(withJSONObject: body).write(to: URL(fileURLWithPath: directory + "/request.json"))
        } catch {
            throw .internal("python analysis: cannot write its input: \(error.localizedDescription)")
        }
    }

    /// The findings of a finished helper run, or why there are none.
    static func readResult(_ result: ProcessResult, directory: String, count: Int) throws(MinicError) -> [[CodeFinding]] {
        guard result.status == 0, !result.timedOut, let output = FileManager.default.contents(atPath: directory + "/out.jsonl") else {
            let last = result.outputText.split(separator: "\n").last ?? ""
            throw .internal("python analysis failed (status \(result.status)\(result.timedOut ? ", timed out" : "")): \(last)")
        }
        return findings(fromOutput: output, count: count)
    }

    /// The helper's output read back: findings per text, and `py-unanalysed` for every text the helper reported
    /// as unreadable or unparsable, did not report on, or reported on in lines that do not read back.
    static func findings(fromOutput output: Data, count: Int) -> [[CodeFinding]] {
        var findings = [[CodeFinding]](repeating: [], count: count)
        var received = [Int](repeating: 0, count: count)
        var announced = [Int?](repeating: nil, count: count)
        var errors = [String?](repeating: nil, count: count)
        for line in output.split(separator: UInt8(ascii: "\n")) {
            // A line that does not read back leaves its text's count short, so that text comes out unanalysed.
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let index = object["i"] as? Int, index >= 0, index < count
            else {
                continue
            }
            if let error = object["error"] as? String {
                errors[index] = error
            } else if let total = object["n"] as? Int {
                announced[index] = total
            } else if let rule = object["rule"] as? String, let line = object["line"] as? Int, let severity = Severity(rawValue: object["severity"] as? String ?? ""),
                let message = object["message"] as? String
            {
                received[index] += 1
                findings[index].append(CodeFinding(ruleID: rule, severity: severity, line: line, message: message))
                if let command = object["shell"] as? String { findings[index] += shellFindings(command, line: line, rule: rule) }
            }
        }
        for index in 0..<count {
            if let error = errors[index] {
                findings[index] = [unanalysed(line: 1, "does not read or parse as Python 3 (\(error)); not analysed")]
            } else if announced[index] != received[index] {
                findings[index].append(unanalysed(line: 1, "the analyser's report on it is missing or incomplete"))
            }
        }
        return findings.map { $0.sorted { ($0.line, $0.ruleID) < ($1.line, $1.ruleID) } }
    }

    static func unanalysed(line: Int, _ reason: String) -> CodeFinding {
        CodeFinding(ruleID: "py-unanalysed", severity: .medium, line: line, message: "unknown: \(reason)")
    }

    /// The shell rules' findings on a literal command line a call runs (`os.system("rm -rf /")`), at the call's line.
    static func shellFindings(_ command: String, line: Int, rule: String) -> [CodeFinding] {
        ShellAnalyzer.analyze(command).map {
            CodeFinding(ruleID: $0.ruleID, severity: $0.severity, line: line, message: "\($0.message) (in the command line of \(rule))")
        }
    }

    static func findPython() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/python3" } + ["/usr/bin/python3", "/usr/local/bin/python3"]
        return candidates.first { access($0, X_OK) == 0 }
    }
}
