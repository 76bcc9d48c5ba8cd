import Foundation
import MinicCore
import MinicGit
import MinicTestSupport
import XCTest

final class HomeTests: XCTestCase {
    func testInitMakesAGitRepositoryWithOneCommit() throws {
        let home = TestHome()
        XCTAssertEqual(Shell.git(home.path, "rev-list", "--count", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "1")
        XCTAssertEqual(Shell.git(home.path, "symbolic-ref", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "refs/heads/main")
        let files = Shell.git(home.path, "ls-files", "-s").stdout
        for type in TaskType.allCases { XCTAssertTrue(files.contains(type.templatePath), type.rawValue) }
        XCTAssertTrue(files.contains("100755 ") && files.contains("hooks/pre-merge"))
        XCTAssertTrue(files.range(of: #"100755 [0-9a-f]+ 0\thooks/post-merge"#, options: .regularExpression) != nil)
        XCTAssertTrue(home.read(".gitignore")?.contains("state/") ?? false)
        XCTAssertEqual(GitChecks.status(home.path), "")
        GitChecks.assertFsckClean(home.path)
    }

    func testInitOnAnExistingHomeIsRefusedWithoutChanges() throws {
        let home = TestHome()
        let before = home.head()
        let listing = try FileManager.default.contentsOfDirectory(atPath: home.path).sorted()
        let result = Shell.run(Shell.minicBinary, ["init", home.path], environment: Shell.testEnvironment)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("already a minic home"), result.stderr)
        XCTAssertEqual(home.head(), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.path).sorted(), listing)
    }

    func testInitRefusesAPlainGitRepositoryOrExistingFiles() {
        let plain = TemporaryDirectory("plain")
        Shell.git(plain.path, "init", "-q")
        XCTAssertThrowsError(try Home.create(at: plain.path)) { XCTAssertEqual(($0 as? MinicError)?.kind, .refused) }
        let crowded = TemporaryDirectory("crowded")
        crowded.write("config.json", "{}")
        XCTAssertThrowsError(try Home.create(at: crowded.path)) { XCTAssertTrue(($0 as? MinicError)?.message.contains("config.json") ?? false) }
        XCTAssertFalse(crowded.exists(".git"))
        XCTAssertEqual(crowded.read("config.json"), "{}")
    }

    func testHomeResolutionOrder() throws {
        let home = TestHome()
        let other = TemporaryDirectory("cwd")
        XCTAssertEqual(Home.resolvePath(explicit: "/x/y", environment: ["MINIC_HOME": "/a"], currentDirectory: home.path), "/x/y")
        XCTAssertEqual(Home.resolvePath(explicit: nil, environment: ["MINIC_HOME": "/a"], currentDirectory: home.path), "/a")
        XCTAssertEqual(Home.resolvePath(explicit: nil, environment: [:], currentDirectory: home.path), home.path)
        XCTAssertEqual(Home.resolvePath(explicit: nil, environment: ["HOME": "/u"], currentDirectory: other.path), "/u/.minic")
        XCTAssertEqual(Home.resolvePath(explicit: "rel", environment: [:], currentDirectory: "/base"), "/base/rel")
    }

    func testConfigComesFromTheCommittedHeadNotTheWorkTree() throws {
        let home = TestHome()
        home.write("config.json", #"{"updates": {"auto_merge": false}, "bogus": 1}"#)
        let opened = try Home(openAt: home.path, environment: [:])
        XCTAssertEqual(try opened.config(), MinicConfig())
        // Committed by hand, the change is in force.
        home.write("config.json", #"{"version": 1, "updates": {"auto_merge": false}}"#)
        GitChecks.commitAll(home.path, "turn off auto merge")
        XCTAssertFalse(try Home(openAt: home.path, environment: [:]).config().updates.autoMerge)
    }

    func testConfigOverrideFromEnvironment() throws {
        let home = TestHome()
        let file = TemporaryDirectory("cfg")
        file.write("c.json", #"{"log": {"level": "debug"}}"#)
        XCTAssertEqual(try Home(openAt: home.path, environment: ["MINIC_CONFIG": file.path + "/c.json"]).config().log.level, "debug")
        file.write("bad.json", #"{"log": {"levl": "debug"}}"#)
        XCTAssertThrowsError(try Home(openAt: home.path, environment: ["MINIC_CONFIG": file.path + "/bad.json"]).config()) { error in
            XCTAssertTrue((error as? MinicError)?.message.contains("log.levl: unknown key") ?? false)
        }
    }

    func testOpeningANonHomeIsBadInput() {
        let directory = TemporaryDirectory("nohome")
        XCTAssertThrowsError(try Home(openAt: directory.path)) { XCTAssertEqual(($0 as? MinicError)?.kind, .badInput) }
    }

    func testValidatorFindsBrokenConfigAndTemplates() throws {
        let home = TestHome()
        let opened = try Home(openAt: home.path, environment: [:])
        XCTAssertEqual(try HomeValidator.problems(in: opened.repository.resolveTree("HEAD"), repository: opened.repository), [])
        home.write("prompt_templates/explain.mustache", "{{#user}}unclosed")
        home.write("config.json", #"{"updates": {"auto_merge": 1}}"#)
        try FileManager.default.removeItem(atPath: home.path + "/prompt_templates/complete.mustache")
        GitChecks.commitAll(home.path, "break things")
        let problems = try HomeValidator.problems(in: opened.repository.resolveTree("HEAD"), repository: opened.repository)
        XCTAssertEqual(problems.count, 3, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("updates.auto_merge") })
        XCTAssertTrue(problems.contains { $0.contains("explain.mustache") })
        XCTAssertTrue(problems.contains { $0.contains("complete.mustache: missing") })
    }
}
