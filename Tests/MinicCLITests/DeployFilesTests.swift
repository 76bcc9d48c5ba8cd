import Foundation
import MinicTestSupport
import XCTest

/// The deployment files (Dockerfile, docker-compose.yml, deploy/kubernetes/) checked offline by scripts/check-deploy,
/// and the topology they describe run as plain processes by scripts/cluster.
final class DeployFilesTests: XCTestCase {
    /// The repository: three levels above this file (Tests/MinicCLITests/DeployFilesTests.swift).
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    func checkDeploy(_ root: String? = nil) -> CommandResult {
        var env = Shell.testEnvironment
        env["MINIC"] = Shell.minicBinary
        return Shell.run("bash", [Self.repository + "/scripts/check-deploy"] + (root.map { [$0] } ?? []), in: Self.repository, environment: env)
    }

    func testTheDeploymentFilesPassCheckDeploy() {
        let result = checkDeploy()
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("check-deploy: ok   docker-compose config"), result.stdout)
        XCTAssertTrue(result.stdout.contains("check-deploy: ok   kubernetes-validate"), result.stdout)
        XCTAssertTrue(result.stdout.contains("check-deploy: ok   minic scan"), result.stdout)
        XCTAssertTrue(result.stdout.contains("check-deploy: all checks passed"), result.stdout)
    }

    /// A copy of the files, broken one way at a time: each break fails the check with a line that names it.
    func testCheckDeployFailsOnBrokenCopies() throws {
        let copy = TemporaryDirectory("minic-deploy")
        let files = ["Dockerfile", "docker-compose.yml", ".dockerignore", "deploy"]
        func reset() throws {
            for file in files {
                try? FileManager.default.removeItem(atPath: copy.path + "/" + file)
                try FileManager.default.copyItem(atPath: Self.repository + "/" + file, toPath: copy.path + "/" + file)
            }
        }
        func edit(_ relative: String, _ change: (String) -> String) throws {
            let path = copy.path + "/" + relative
            let old = try String(contentsOfFile: path, encoding: .utf8)
            let new = change(old)
            XCTAssertNotEqual(old, new, "the edit of \(relative) changed nothing")
            try new.write(toFile: path, atomically: true, encoding: .utf8)
        }
        func assertFails(_ expected: String, line: UInt = #line) {
            let result = checkDeploy(copy.path)
            XCTAssertEqual(result.status, 1, result.stdout + result.stderr, line: line)
            let failures = result.stdout.split(separator: "\n").filter { $0.hasPrefix("check-deploy: FAIL") }
            XCTAssertTrue(failures.contains { $0.contains(expected) }, "no FAIL line with \(expected):\n\(result.stdout)", line: line)
        }

        try reset()
        XCTAssertEqual(checkDeploy(copy.path).status, 0, "the unbroken copy must pass")

        // A compose key that does not exist.
        try edit("docker-compose.yml") { $0.replacingOccurrences(of: "    restart: unless-stopped", with: "    restrt: unless-stopped") }
        assertFails("Unsupported config option for services.redis: 'restrt'")

        // A manifest field of the wrong type.
        try reset()
        try edit("deploy/kubernetes/worker.yaml") { $0.replacingOccurrences(of: "replicas: 2", with: "replicas: \"two\"") }
        assertFails("spec.replicas: 'two' is not of type 'integer'")

        // A literal secret in the compose file.
        try reset()
        try edit("docker-compose.yml") {
            $0.replacingOccurrences(of: "ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY:-}", with: "ANTHROPIC_API_KEY: not-from-the-environment")
        }
        assertFails("ANTHROPIC_API_KEY holds a literal value")

        // A password in a manifest: minic scan finds it.
        try reset()
        try edit("deploy/kubernetes/secrets.example.yaml") { $0.replacingOccurrences(of: "change-me", with: "Tr0ub4dor-3-horse-staple") }
        assertFails("minic scan: deploy/kubernetes/secrets.example.yaml")

        // An option minic does not have.
        try reset()
        try edit("deploy/kubernetes/worker.yaml") { $0.replacingOccurrences(of: "\"--pull-every\"", with: "\"--pull-evry\"") }
        assertFails("deploy/kubernetes/worker.yaml: minic worker has no option --pull-evry")

        // A Dockerfile with no HEALTHCHECK and running as root.
        try reset()
        try edit("Dockerfile") {
            $0.replacingOccurrences(of: "HEALTHCHECK", with: "# HEALTHCHECK").replacingOccurrences(of: "USER 10001:10001", with: "USER root")
        }
        assertFails("Dockerfile: no HEALTHCHECK")
        assertFails("Dockerfile: the last USER is root")
    }

    /// scripts/cluster: redis-server, an origin served by `minic serve` and `git daemon`, two cloned workers; a task
    /// and a proposal through the HTTP API, the merge reaching both workers.
    func testClusterScriptRunsATaskAndAProposalThroughTheTopology() {
        var env = Shell.testEnvironment
        env["MINIC"] = Shell.minicBinary
        let result = Shell.run("bash", [Self.repository + "/scripts/cluster"], in: Self.repository, environment: env)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        for step in ["GET /v1/tasks/1 until succeeded", "worker 1 pulled the merge", "worker 2 pulled the merge", "worker 2 metrics /healthz and /metrics"] {
            XCTAssertTrue(result.stdout.contains("cluster: ok   \(step)"), "no ok line for \(step):\n\(result.stdout)")
        }
        XCTAssertTrue(result.stdout.contains("cluster: all steps passed"), result.stdout)
    }
}
