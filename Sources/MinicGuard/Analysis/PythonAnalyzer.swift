import Foundation
import MinicCore

/// Finds dangerous operations in Python on Python's own AST: a small helper
/// (``helperSource``, standard library only) run by the `python3` on PATH walks
/// each file's `ast` once and reports the classes of Bandit's checks — eval/exec/
/// compile and dynamic import, shells (subprocess with `shell=True`, os.system,
/// os.popen), pickle/marshal/yaml.load/torch.load, tar extraction, weak hashes and
/// ciphers, `verify=False`, binding to all interfaces, hard-coded passwords,
/// temporary-file races, SQL built from strings, and more.
public struct PythonAnalyzer: Sendable {
    public let python: String?
    /// Worker processes for large batches (the helper forks; 1 keeps it in one process).
    public let workers: Int

    public init(python: String? = nil, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.python = python ?? Self.findPython()
        self.workers = max(1, workers)
    }

    /// Findings for each file, in order; a file that does not parse gets one `py-syntax-error`.
    public func analyze(files: [String]) throws(MinicError) -> [[CodeFinding]] {
        try run(["files": files], count: files.count)
    }

    /// Findings for each text (model answers, proposal contents), in order.
    public func analyze(texts: [String]) throws(MinicError) -> [[CodeFinding]] {
        try run(["texts": texts], count: texts.count)
    }

    private func run(_ request: [String: [String]], count: Int) throws(MinicError) -> [[CodeFinding]] {
        guard count > 0 else { return [] }
        guard let python else { throw .internal("python analysis unavailable: no python3 on PATH") }
        let directory = NSTemporaryDirectory() + "minic-pyscan-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(directory, 0o700) == 0 else { throw .internal("python analysis: cannot make \(directory)") }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var body: [String: Any] = request
        body["workers"] = count > 8 ? workers : 1
        do {
            try JSONSerialization.data(withJSONObject: body).write(to: URL(fileURLWithPath: directory + "/request.json"))
        } catch {
            throw .internal("python analysis: cannot write its input: \(error.localizedDescription)")
        }
        // The helper goes in as `-c` text: nothing of it is written anywhere.
        let result = try ProcessRunner.run(
            executable: python, arguments: ["-I", "-c", Self.helperSource, directory + "/request.json", directory + "/out.jsonl"],
            environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"], directory: directory, timeout: 600)
        guard result.status == 0, let output = FileManager.default.contents(atPath: directory + "/out.jsonl") else {
            throw .internal("python analysis failed (status \(result.status)): \(result.outputText.split(separator: "\n").last ?? "")")
        }
        var findings = [[CodeFinding]](repeating: [], count: count)
        for line in output.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let index = object["i"] as? Int, index < count else {
                continue
            }
            if let error = object["error"] as? String {
                findings[index].append(CodeFinding(ruleID: "py-syntax-error", severity: .low, line: 1, message: "does not parse as Python 3 (\(error)); not analysed"))
            } else if let rule = object["rule"] as? String, let line = object["line"] as? Int, let severity = Severity(rawValue: object["severity"] as? String ?? ""),
                let message = object["message"] as? String
            {
                findings[index].append(CodeFinding(ruleID: rule, severity: severity, line: line, message: message))
            }
        }
        return findings.map { $0.sorted { ($0.line, $0.ruleID) < ($1.line, $1.ruleID) } }
    }

    static func findPython() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/python3" } + ["/usr/bin/python3", "/usr/local/bin/python3"]
        return candidates.first { access($0, X_OK) == 0 }
    }
}
