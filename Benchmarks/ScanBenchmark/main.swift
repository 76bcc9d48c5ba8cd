// Secret-scanning throughput on one core: scans every file named (or listed in
// a file given as @LIST) and prints `<bytes> <seconds> <MB/s> <findings>` and,
// with --findings, one `path:line rule` line per finding.
// Usage: minic-scan-bench [--findings] FILE... | @LIST
import Foundation
import MinicCore
import MinicGuard

AllocatorTuning.apply()
var arguments = Array(CommandLine.arguments.dropFirst())
let listFindings = arguments.first == "--findings"
if listFindings { arguments.removeFirst() }
var paths: [String] = []
for argument in arguments {
    if argument.hasPrefix("@"), let list = try? String(contentsOfFile: String(argument.dropFirst()), encoding: .utf8) {
        paths += list.split(separator: "\n").map(String.init)
    } else {
        paths.append(argument)
    }
}
let contents = paths.compactMap { path in FileManager.default.contents(atPath: path).map { (path, String(decoding: $0, as: UTF8.self)) } }
let scanner = SecretScanner()
let bytes = contents.reduce(0) { $0 + $1.1.utf8.count }
var findings: [(String, SecretFinding)] = []
let start = DispatchTime.now().uptimeNanoseconds
for (path, text) in contents { findings += scanner.scan(text).map { (path, $0) } }
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print(String(format: "%d %.4f %.2f %d", bytes, seconds, Double(bytes) / 1e6 / seconds, findings.count))
if listFindings { for (path, finding) in findings { print("\(path):\(finding.line) \(finding.ruleID)") } }
