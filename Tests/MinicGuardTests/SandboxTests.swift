import Foundation
import MinicCore
import MinicTestSupport
import XCTest

@testable import MinicGuard

/// The sandbox on the real bubblewrap: what runs, what it can see, and escape attempts that must fail.
final class SandboxTests: XCTestCase {
    /// Nothing denied by name, so that the namespaces themselves are what stops an escape.
    func sandbox(_ adjust: (inout SandboxConfig) -> Void = { _ in }) -> Sandbox {
        var config = SandboxConfig(timeoutSeconds: 10, denyCommands: [])
        adjust(&config)
        return Sandbox(config: config)
    }

    func run(_ script: String, workdir: String? = nil, in sandbox: Sandbox? = nil) throws -> SandboxResult {
        try (sandbox ?? self.sandbox()).run(SandboxRequest(command: ["sh", "-c", script], workdir: workdir))
    }

    func testRunsACommandWithItsOutputAndStatusAsANobodyWithNoCapabilities() throws {
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("minic-sandbox.") }
        let result = try run("id -u; echo out; echo err >&2; grep CapEff /proc/self/status; touch /work/made; exit 3")
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("minic-sandbox.") }
        XCTAssertEqual(after.subtracting(before), [], "the temporary work directory is removed afterwards")
        XCTAssertEqual(result.exitCode, 3)
        XCTAssertNil(result.limit)
        XCTAssertEqual(result.stdout, "65534\nout\nCapEff:\t0000000000000000\n")
        XCTAssertEqual(result.stderr, "err\n")
    }

    func testStdinReachesTheCommandAndLargeStdinIsRefused() throws {
        var request = SandboxRequest(command: ["cat"])
        request.stdin = Array("piped in\n".utf8)
        XCTAssertEqual(try sandbox().run(request).stdout, "piped in\n")
        request.stdin = [UInt8](repeating: 65, count: 70000)
        XCTAssertThrowsError(try sandbox().run(request)) { XCTAssertEqual(($0 as? MinicError)?.kind, .badInput) }
    }

    func testTheEnvironmentIsClearedAndTheParentsCannotBeReadThroughProc() throws {
        setenv("MINIC_TEST_SECRET", "sk-ant-parent-secret", 1)
        defer { unsetenv("MINIC_TEST_SECRET") }
        let result = try run("env; for f in /proc/[0-9]*/environ; do cat $f; done; echo; ls /proc | grep -c '^[0-9]'")
        XCTAssertFalse(result.stdout.contains("parent-secret"), result.stdout)
        XCTAssertFalse(result.stdout.contains("MINIC_TEST_SECRET"))
        XCTAssertTrue(result.stdout.contains("PATH=/usr/local/bin:/usr/bin:/bin"))
        // Only the sandbox's own processes are visible: bubblewrap's init, sh, ls, grep (and the loop's cat).
        XCTAssertLessThan(Int(result.stdout.split(separator: "\n").last ?? "") ?? 99, 8)
    }

    func testNoNetworkNotEvenTheHostsLoopback() throws {
        let listener = try LoopbackListener()
        let script = """
            curl -sS -m 3 http://127.0.0.1:\(listener.port)/ ; echo curl=$?
            bash -c 'echo > /dev/tcp/127.0.0.1/\(listener.port)' ; echo devtcp=$?
            python3 -c 'import socket; socket.create_connection(("127.0.0.1", \(listener.port)), timeout=2)' 2>/dev/null; echo python=$?
            nc -z -w 2 127.0.0.1 \(listener.port); echo nc=$?
            """
        let result = try run(script)
        for probe in ["curl", "devtcp", "python", "nc"] {
            XCTAssertFalse(result.stdout.contains("\(probe)=0\n"), "\(probe) reached the host: \(result.stdout)")
        }
        XCTAssertEqual(listener.accepted, 0)
    }

    func testWritesOutsideTheWorkDirectoryFailAndTheWorkDirectoryIsWritable() throws {
        let work = TemporaryDirectory("sandbox-work")
        let marker = "minic-sandbox-escape-\(getpid())"
        let result = try run(
            """
            echo hi > /work/kept; echo work=$?
            echo x >> /root/.bashrc; echo bashrc=$?
            echo x >> ~/.bashrc; echo home=$?
            touch /etc/\(marker); echo etc=$?
            touch /usr/\(marker); echo usr=$?
            touch /tmp/\(marker); echo tmp=$?
            """, workdir: work.path)
        XCTAssertTrue(result.stdout.contains("work=0\n"), result.stdout)
        XCTAssertEqual(work.read("kept"), "hi\n")
        XCTAssertFalse(result.stdout.contains("bashrc=0"))
        XCTAssertFalse(result.stdout.contains("etc=0"))
        XCTAssertFalse(result.stdout.contains("usr=0"))
        XCTAssertTrue(result.stdout.contains("tmp=0"), "the sandbox has its own /tmp")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/\(marker)"), "the host's /tmp is untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/\(marker)"))
    }

    func testGitAndTheHomesHooksStayReadOnly() throws {
        // The home itself, or a directory holding it, is no longer a work directory at all (it was, with .git and hooks/ bound read-only).
        let home = TestHome()
        for workdir in [home.path, (home.path as NSString).deletingLastPathComponent] {
            XCTAssertThrowsError(
                try run("echo x >> .git/config", workdir: workdir, in: Sandbox(config: SandboxConfig(denyCommands: []), homePath: home.path)), workdir
            ) { XCTAssertEqual(($0 as? MinicError)?.kind, .badInput) }
        }
        // A project's own .git stays read-only.
        let project = TemporaryDirectory("sandbox-project")
        XCTAssertEqual(Shell.git(project.path, "init", "-q").status, 0)
        let result = try run(
            "echo x >> .git/config; echo git=$?; echo ok > notes; echo work=$?", workdir: project.path,
            in: Sandbox(config: SandboxConfig(denyCommands: []), homePath: home.path))
        XCTAssertEqual(result.stdout, "git=2\nwork=0\n", result.stderr)
        XCTAssertEqual(Shell.git(project.path, "fsck", "--strict").status, 0)
        XCTAssertEqual(Shell.git(home.path, "fsck", "--strict").status, 0)
    }

    func testTheTimeoutKillsTheWholeTree() throws {
        let started = Date()
        let result = try sandbox { $0.timeoutSeconds = 1 }.run(SandboxRequest(command: ["sh", "-c", "sleep 30 & sleep 30 & wait"]))
        XCTAssertEqual(result.limit, .timeout)
        XCTAssertEqual(result.exitCode, 124)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertFalse(Shell.run("pgrep", ["-f", "sleep 30"]).stdout.contains(where: \.isNumber), "nothing left running")
    }

    func testABackgroundProcessDoesNotOutliveTheCommand() throws {
        let work = TemporaryDirectory("sandbox-late")
        let result = try run("(sleep 1; touch /work/late) > /dev/null 2>&1 & echo started", workdir: work.path)
        XCTAssertEqual(result.stdout, "started\n")
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.path + "/late"))
    }

    func testAForkBombIsContained() throws {
        let started = Date()
        let marker = "bomb\(getpid())"
        let result = try sandbox { $0.timeoutSeconds = 3 }.run(SandboxRequest(command: ["sh", "-c", "\(marker)() { \(marker) | \(marker) & }; \(marker); sleep 30"]))
        XCTAssertLessThan(Date().timeIntervalSince(started), 6)
        // With a pids cgroup even `sleep` cannot start, so the script may end before the timeout.
        XCTAssertTrue(result.limit == nil || result.limit == .timeout, "\(String(describing: result.limit))")
        if result.confinement.hasPrefix("cgroup") { XCTAssertTrue(result.stderr.contains("fork"), "pids.max stopped it: \(result.stderr.prefix(200))") }
        XCTAssertEqual(Shell.run("pgrep", ["-f", marker]).stdout, "", "nothing of it is left")
    }

    func testAMemoryHogIsStopped() throws {
        let result = try sandbox { $0.memoryMB = 64 }.run(
            SandboxRequest(command: ["python3", "-c", "x = bytearray(400 * 1024 * 1024); print('allocated')"]))
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertFalse(result.stdout.contains("allocated"))
        if result.confinement.hasPrefix("cgroup") { XCTAssertEqual(result.limit, .memory) }
    }

    func testAnEndlessWriteHitsTheFileSizeLimit() throws {
        let work = TemporaryDirectory("sandbox-yes")
        let result = try sandbox { $0.maxFileMB = 1 }.run(SandboxRequest(command: ["sh", "-c", "yes > /work/f"], workdir: work.path))
        XCTAssertEqual(result.limit, .fileSize)
        XCTAssertEqual(result.exitCode, 153)
        XCTAssertLessThanOrEqual((try? FileManager.default.attributesOfItem(atPath: work.path + "/f")[.size] as? Int) ?? 0, 1 << 20)
    }

    func testEndlessOutputHitsTheOutputLimit() throws {
        let result = try sandbox { $0.maxOutputKB = 64 }.run(SandboxRequest(command: ["yes"]))
        XCTAssertEqual(result.limit, .output)
        XCTAssertEqual(result.exitCode, 123)
        XCTAssertTrue(result.outputTruncated)
        XCTAssertEqual(result.stdout.utf8.count, 64 << 10)
    }

    func testCPUTimeIsLimited() throws {
        let result = try sandbox { $0.cpuSeconds = 1 }.run(SandboxRequest(command: ["sh", "-c", "while :; do :; done"]))
        XCTAssertEqual(result.limit, .cpu)
        XCTAssertEqual(result.exitCode, 152)
    }

    func testSeccompDeniesPtraceKeyringAndNewUserNamespaces() throws {
        let script = """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            for name, call in [("ptrace", lambda: libc.ptrace(0, 0, 0, 0)), ("unshare", lambda: libc.unshare(0x10000000)),
                               ("keyctl", lambda: libc.syscall(250, 0, 0, 0, 0)), ("io_uring", lambda: libc.syscall(425, 1, 0))]:
                print(name, call(), os.strerror(ctypes.get_errno()))
            """
        let result = try sandbox().run(SandboxRequest(command: ["python3", "-c", script]))
        XCTAssertEqual(
            result.stdout, "ptrace -1 Operation not permitted\nunshare -1 Operation not permitted\nkeyctl -1 Operation not permitted\nio_uring -1 Operation not permitted\n",
            result.stderr)
    }

    func testFailsClosedWithoutBubblewrap() {
        let missing = Sandbox(config: SandboxConfig(), bwrapPath: "/nonexistent/bwrap")
        XCTAssertThrowsError(try missing.run(SandboxRequest(command: ["true"]))) { error in
            XCTAssertEqual((error as? MinicError)?.kind, .internal)
            XCTAssertTrue("\(error)".contains("never runs code unsandboxed"), "\(error)")
        }
    }

    func testFailsClosedWhenNamespacesCannotBeMade() throws {
        // A bubblewrap that cannot set up (as on a kernel without unprivileged user namespaces) starts no command.
        let directory = TemporaryDirectory("no-userns")
        directory.write("bwrap", "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n", executable: true)
        XCTAssertThrowsError(try Sandbox(config: SandboxConfig(denyCommands: []), bwrapPath: directory.path + "/bwrap").run(SandboxRequest(command: ["true"]))) {
            error in
            XCTAssertEqual((error as? MinicError)?.kind, .internal)
            XCTAssertTrue("\(error)".contains("sandbox unavailable: bubblewrap could not set up the sandbox (bwrap: No permissions"), "\(error)")
        }
    }

    func testTheCommandFilterChecksTheParsedCommand() throws {
        let filter = CommandFilter(allow: [], deny: SandboxConfig.defaultDeny)
        XCTAssertNoThrow(try filter.check(["python3", "x.py"]))
        for argv in [
            ["nc", "-z", "h", "1"], ["/usr/bin/nc"], ["sh", "-c", "echo hi; nc -z h 1"], ["bash", "-lc", "ls | sudo tee x"], ["env", "A=1", "ssh", "h"],
            ["timeout", "5", "socat", "-", "-"], ["sh", "-c", "echo $(nc -l 1)"], ["sh", "-c", "x=`ssh h`"], ["sh", "-c", "$CMD arg"],
            ["sh", "-c", "bash <<EOF\nnc -z h 1\nEOF"], ["sh", "-c", "eval 'ssh h'"], ["sh", "-c", "echo 'unterminated"],
        ] {
            XCTAssertThrowsError(try filter.check(argv), "\(argv)") { XCTAssertEqual(($0 as? MinicError)?.kind, .refused, "\(argv)") }
        }
        let allowList = CommandFilter(allow: ["python3", "sh", "echo"], deny: [])
        XCTAssertNoThrow(try allowList.check(["sh", "-c", "echo a && python3 -c 1"]))
        XCTAssertThrowsError(try allowList.check(["sh", "-c", "echo a; rm -rf x"]))
        XCTAssertThrowsError(try sandbox { $0.denyCommands = ["nc"] }.run(SandboxRequest(command: ["sh", "-c", "nc -z 127.0.0.1 1"])))
    }
}

/// A TCP listener on the host's loopback, counting connections, to prove the sandbox cannot reach it.
final class LoopbackListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw MinicError.internal("cannot listen on loopback") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)
    }

    deinit { close(descriptor) }

    /// Connections waiting to be accepted (accepting them counts them).
    var accepted: Int {
        var count = 0
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 { break }
            close(client)
            count += 1
        }
        return count
    }
}
