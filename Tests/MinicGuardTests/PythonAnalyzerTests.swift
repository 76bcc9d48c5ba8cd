import Foundation
import MinicGuard
import XCTest

/// Each class of dangerous Python operation, found on the real `ast` through the shipped helper.
final class PythonAnalyzerTests: XCTestCase {
    let analyzer = PythonAnalyzer(workers: 1)

    /// Rule ids found in `code`.
    func rules(_ code: String) throws -> [String] {
        try XCTUnwrap(analyzer.analyze(texts: [code]).first).map(\.ruleID)
    }

    func assertFinds(_ rule: String, _ snippets: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        for snippet in snippets {
            let found = try rules(snippet)
            XCTAssertTrue(found.contains(rule), "\(rule) missed in: \(snippet) (found \(found))", file: file, line: line)
        }
    }

    func assertClean(_ rule: String, _ snippets: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        for snippet in snippets {
            let found = try rules(snippet)
            XCTAssertFalse(found.contains(rule), "\(rule) wrongly found in: \(snippet)", file: file, line: line)
        }
    }

    func testEvalExecCompileAndDynamicImport() throws {
        try assertFinds("py-eval", ["eval(data)", "x = eval('1+1')"])
        try assertFinds("py-exec", ["exec(code)"])
        try assertFinds("py-compile", ["compile(source, 'f', 'exec')"])
        try assertFinds("py-dynamic-import", ["__import__(name)", "import importlib\nimportlib.import_module(name)"])
        try assertClean("py-eval", ["ast.literal_eval(data)", "model.eval()"])
        try assertClean("py-dynamic-import", ["importlib.import_module('json')"])
    }

    func testShellsAndProcesses() throws {
        try assertFinds("py-subprocess-shell", ["import subprocess\nsubprocess.run(cmd, shell=True)", "from subprocess import Popen as P\nP(cmd, shell=True)"])
        try assertFinds("py-shell-call", ["import os\nos.system(cmd)", "import os\nos.popen('ls ' + d)"])
        try assertClean("py-subprocess-shell", ["import subprocess\nsubprocess.run(['ls', d])"])
        XCTAssertEqual(try analyzer.analyze(texts: ["import os\nos.system(cmd)"]).first?.first { $0.ruleID == "py-shell-call" }?.severity, .high)
    }

    func testDeserialisation() throws {
        try assertFinds("py-pickle", ["import pickle\npickle.loads(blob)", "import pickle as p\np.load(f)", "import pandas as pd\npd.read_pickle(p)"])
        try assertFinds("py-marshal", ["import marshal\nmarshal.loads(b)"])
        try assertFinds("py-yaml-load", ["import yaml\nyaml.load(s)", "import yaml\nyaml.load(s, Loader=yaml.Loader)", "import yaml\nyaml.unsafe_load(s)"])
        try assertClean("py-yaml-load", ["import yaml\nyaml.load(s, Loader=yaml.SafeLoader)", "import yaml\nyaml.safe_load(s)"])
        try assertFinds("py-torch-load", ["import torch\ntorch.load(p)", "import torch\ntorch.load(p, weights_only=False)"])
        try assertClean("py-torch-load", ["import torch\ntorch.load(p, weights_only=True)"])
    }

    func testTarExtraction() throws {
        try assertFinds("py-tarfile-extractall", ["import tarfile\nwith tarfile.open(p) as t:\n    t.extractall(d)", "import tarfile\ntarfile.open(p).extractall()"])
        try assertClean("py-tarfile-extractall", ["import tarfile\ntarfile.open(p).extractall(d, filter='data')", "import zipfile\nz.extractall(d)"])
    }

    func testWeakHashesAndCiphers() throws {
        try assertFinds("py-weak-hash", ["import hashlib\nhashlib.md5(b)", "import hashlib\nhashlib.sha1(b)", "import hashlib\nhashlib.new('md5')"])
        try assertClean("py-weak-hash", ["import hashlib\nhashlib.sha256(b)", "import hashlib\nhashlib.md5(b, usedforsecurity=False)"])
        try assertFinds("py-weak-cipher", ["from Crypto.Cipher import DES\nDES.new(k)", "from cryptography.hazmat.primitives.ciphers import algorithms\nalgorithms.ARC4(k)"])
        try assertFinds("py-weak-cipher-mode", ["from cryptography.hazmat.primitives.ciphers import modes\nmodes.ECB()"])
    }

    func testTLSNetworkAndPasswords() throws {
        try assertFinds("py-verify-false", ["import requests\nrequests.get(u, verify=False, timeout=5)", "session.post(u, verify=False)"])
        try assertClean("py-verify-false", ["import requests\nrequests.get(u, timeout=5)"])
        try assertFinds("py-bind-all-interfaces", ["s.bind(('0.0.0.0', 80))", "app.run(host='0.0.0.0')"])
        try assertFinds("py-hardcoded-password", ["password = 'hunter2'", "connect(user='a', password='x1')", "def f(token='abc'): pass", "if pwd == 'secret': pass"])
        try assertClean("py-hardcoded-password", ["password = os.environ['PW']", "password = get_password()"])
    }

    func testTemporaryFilesAndSQL() throws {
        try assertFinds("py-mktemp", ["import tempfile\ntempfile.mktemp()"])
        try assertFinds("py-hardcoded-tmp", ["open('/tmp/out.txt', 'w')"])
        try assertClean("py-mktemp", ["import tempfile\ntempfile.mkstemp()"])
        try assertFinds(
            "py-sql-string",
            ["c.execute('SELECT * FROM t WHERE id = %s' % i)", "c.execute(f'DELETE FROM t WHERE id = {i}')", "q = 'SELECT a FROM t WHERE b = ' + b",
             "q = 'UPDATE t SET a = {}'.format(a)"])
        try assertClean("py-sql-string", ["c.execute('SELECT * FROM t WHERE id = ?', (i,))", "print('selected %d' % n)"])
    }

    func testLinesAndSyntaxErrors() throws {
        let findings = try XCTUnwrap(analyzer.analyze(texts: ["import os\n\n\nos.system(x)\n", "def broken(:\n"]))
        XCTAssertEqual(findings[0].first { $0.ruleID == "py-shell-call" }?.line, 4)
        XCTAssertEqual(findings[1].map(\.ruleID), ["py-unanalysed"], "a syntax error is unknown (ask), not low")
    }

    func testManyFilesInParallelKeepTheirOrder() throws {
        let directory = TemporaryDirectoryPath()
        var paths: [String] = []
        for index in 0..<40 {
            let path = directory.path + "/f\(index).py"
            try (String(repeating: "\n", count: index) + "eval(x)\n").write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let results = try PythonAnalyzer(workers: 2).analyze(files: paths)
        XCTAssertEqual(results.map { $0.first?.line }, (0..<40).map { $0 + 1 })
    }

    func testWithoutPythonTheAnswerIsUnknownNotClean() {
        let findings = CodeAnalyzer(python: PythonAnalyzer(python: "/nonexistent/python3")).analyze("import os\nos.system(x)", language: .python)
        XCTAssertEqual(findings.map(\.ruleID), ["py-unanalysed"])
        XCTAssertEqual(SecurityPolicy().decide(findings), .ask)
    }
}

/// A temporary directory removed at deinit (the guard tests need no git).
final class TemporaryDirectoryPath {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "minic-guard-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
