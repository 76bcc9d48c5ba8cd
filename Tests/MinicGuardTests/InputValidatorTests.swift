import Foundation
import MinicCore
import MinicTestSupport
import XCTest

@testable import MinicGuard

final class InputValidatorTests: XCTestCase {
    func testTypesPromptsAndTypedParameters() throws {
        let validator = InputValidator(
            config: SecurityConfig(taskTypes: ["analyze", "explain"], maxPromptBytes: 10, parameterTypes: ["lines": "int", "strict": "bool", "ratio": "number"]),
            homePath: "/nonexistent")
        XCTAssertNoThrow(try validator.validateType("analyze"))
        XCTAssertThrowsError(try validator.validateType("generate")) { XCTAssertEqual("\($0)", "unknown task type 'generate' (known: analyze, explain)") }
        XCTAssertThrowsError(try validator.validatePrompt(String(repeating: "x", count: 11)))
        XCTAssertThrowsError(try validator.validatePrompt("a\0b"))
        XCTAssertNoThrow(try validator.validateParameters(["lines": "40", "strict": "true", "ratio": "0.5", "style": "terse"]))
        for bad in [["lines": "forty"], ["strict": "yes"], ["ratio": "nan"], ["bad key": "x"], ["x": "a\0b"]] {
            XCTAssertThrowsError(try validator.validateParameters(bad), "\(bad)") { XCTAssertEqual(($0 as? MinicError)?.kind, .badInput) }
        }
    }

    func testPathsAreConfinedToTheRootsAfterResolvingSymlinks() throws {
        let root = TemporaryDirectory("roots")
        root.write("project/main.py", "print(1)\n")
        root.write("elsewhere/secret.txt", "key\n")
        symlink(root.path + "/elsewhere/secret.txt", root.path + "/project/link.txt")
        symlink(root.path + "/elsewhere", root.path + "/project/dir")
        let project = root.path + "/project"
        let validator = InputValidator(config: SecurityConfig(allowedRoots: ["."]), homePath: "/nonexistent", currentDirectory: project)
        let resolved = try validator.resolveFile("main.py", currentDirectory: project)
        XCTAssertTrue(resolved.hasSuffix("/project/main.py"))
        XCTAssertEqual(try validator.readResolvedFile(resolved), "print(1)\n")
        for (path, reason) in [
            ("link.txt", "outside the allowed roots"), ("dir/secret.txt", "outside the allowed roots"), (root.path + "/elsewhere/secret.txt", "outside the allowed roots"),
            ("../elsewhere/secret.txt", "'..' is not allowed"), ("/etc/passwd", "outside the allowed roots"), ("a\0b", "a NUL byte"), ("a\nb", "a newline"),
            ("a\u{1B}[31mb", "a control character"), (String(repeating: "n", count: 300), "a name over 255 bytes"), ("", "an empty path"),
            ("missing.py", "No such file"),
        ] {
            XCTAssertThrowsError(try validator.resolveFile(path, currentDirectory: project), path) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(path): \(error)")
                XCTAssertFalse("\(error)".contains("\n"), "one line")
            }
        }
        // A file swapped for a symlink after submission is refused when the task runs.
        try FileManager.default.removeItem(atPath: resolved)
        symlink(root.path + "/elsewhere/secret.txt", resolved)
        XCTAssertThrowsError(try validator.readResolvedFile(resolved)) { XCTAssertTrue("\($0)".contains("no longer the file")) }
    }

    func testTheHomeIsARootAndFilesMustBeRegularUTF8UnderTheLimit() throws {
        let home = TemporaryDirectory("home-root")
        home.write("notes.md", "hello\n")
        home.write("big.txt", String(repeating: "x", count: 2048))
        _ = FileManager.default.createFile(atPath: home.path + "/bin.dat", contents: Data([0xFF, 0xFE, 0x00]))
        let validator = InputValidator(config: SecurityConfig(maxFileBytes: 1024), homePath: home.path, currentDirectory: "/")
        XCTAssertNoThrow(try validator.resolveFile(home.path + "/notes.md"))
        XCTAssertThrowsError(try validator.resolveFile(home.path + "/big.txt")) { XCTAssertTrue("\($0)".contains("the limit is 1024")) }
        XCTAssertThrowsError(try validator.resolveFile(home.path + "/bin.dat")) { XCTAssertTrue("\($0)".contains("not UTF-8")) }
        XCTAssertThrowsError(try validator.resolveFile(home.path)) { XCTAssertTrue("\($0)".contains("not a regular file")) }
    }
}
