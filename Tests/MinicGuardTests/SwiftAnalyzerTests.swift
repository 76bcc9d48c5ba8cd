import MinicCore
import MinicGuard
import XCTest

final class SwiftAnalyzerTests: XCTestCase {
    func rules(_ code: String) -> [String] { SwiftAnalyzer.analyze(code).map(\.ruleID) }

    func testProcessesAndShells() {
        XCTAssertEqual(rules("let p = Process()\np.executableURL = URL(fileURLWithPath: \"/bin/sh\")"), ["swift-process", "swift-process"])
        XCTAssertEqual(rules("posix_spawn(&pid, path, nil, nil, argv, envp)"), ["swift-spawn"])
        XCTAssertEqual(rules("system(\"rm -rf /\")"), ["swift-system"])
        XCTAssertEqual(rules("let x = mySystem(1)\nfoo.system(1)"), [])
    }

    func testRemovalOfAbsolutePathsAndUnsafeCasts() {
        XCTAssertEqual(rules("try FileManager.default.removeItem(atPath: \"/etc/passwd\")"), ["swift-remove-absolute"])
        XCTAssertEqual(rules("try FileManager.default.removeItem(at: URL(fileURLWithPath: \"/usr\"))"), ["swift-remove-absolute"])
        XCTAssertEqual(rules("try fm.removeItem(atPath: temporary)"), ["swift-remove"])
        XCTAssertEqual(rules("let p = unsafeBitCast(input, to: UnsafePointer<Int>.self)"), ["swift-unsafe-cast"])
        XCTAssertEqual(rules("raw.assumingMemoryBound(to: Header.self)"), ["swift-unsafe-cast"])
    }

    func testCommentsAndStringsDoNotCount() {
        XCTAssertEqual(rules("// Process() is not used here\n/* system(\"x\") */\nlet s = \"Process() and system(1)\""), [])
        XCTAssertEqual(SwiftAnalyzer.analyze("let a = 1\n\nlet p = Process()").first?.line, 3)
    }

    func testThePolicyDecides() {
        let policy = SecurityPolicy(SecurityConfig(ruleActions: ["swift-process": "allow", "sh-force-push": "block"]))
        XCTAssertEqual(policy.decide(SwiftAnalyzer.analyze("Process()")), .allow)
        XCTAssertEqual(policy.decide(SwiftAnalyzer.analyze("system(x)")), .block)
        XCTAssertEqual(policy.decide(rule: "x", severity: .medium), .ask)
        XCTAssertEqual(policy.decide(rule: "x", severity: .low), .allow)
        XCTAssertEqual(policy.decide([]), .allow)
    }

    func testLanguageDetectionAndCodeBlocks() {
        XCTAssertEqual(CodeLanguage.detect(path: "a/b.py", text: nil), .python)
        XCTAssertEqual(CodeLanguage.detect(path: "run", text: "#!/usr/bin/env bash\necho"), .shell)
        XCTAssertEqual(CodeLanguage.detect(path: "tool", text: "#!/usr/bin/python3 -u\n"), .python)
        XCTAssertNil(CodeLanguage.detect(path: "notes.txt", text: "hello"))
        let answer = "Try this:\n\n```bash\necho hi\nrm -rf /\n```\n\nand\n```python\nimport os\nos.system(x)\n```\n"
        let findings = CodeAnalyzer().analyze(answer: answer)
        XCTAssertEqual(findings.map(\.ruleID), ["sh-rm-rf-root", "py-shell-call"])
        XCTAssertEqual(findings.map(\.line), [5, 11])
    }
}
