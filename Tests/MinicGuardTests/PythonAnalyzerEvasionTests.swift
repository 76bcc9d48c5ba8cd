import Foundation
import XCTest

@testable import MinicGuard

/// Ways around the Python rules an adversarial tester found, each as a class with several spellings: C modules under
/// another name, removals of system paths, commands folded from constants, dangerous functions used as values or
/// reached by name, code runners, and files that are Python without a `.py` name. Ordinary code stays allowed.
final class PythonAnalyzerEvasionTests: XCTestCase {
    let analyzer = PythonAnalyzer(workers: 1)
    let policy = SecurityPolicy()

    func assertDecision(_ decision: Decision, _ snippets: [String], rule: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let results = try analyzer.analyze(texts: snippets)
        for (snippet, found) in zip(snippets, results) {
            XCTAssertEqual(policy.decide(found), decision, "\(snippet): \(found.map { "\($0.ruleID)/\($0.severity)" })", file: file, line: line)
            if let rule { XCTAssertTrue(found.contains { $0.ruleID == rule }, "\(rule) missed in \(snippet): \(found.map(\.ruleID))", file: file, line: line) }
        }
    }

    func testPosixAndNtAreOs() throws {
        try assertDecision(
            .block,
            [
                "import posix; posix.system('rm -rf /')", "from posix import system\nsystem('rm -rf /')", "import nt\nnt.system(x)",
                "import posix as p\np.popen(c)", "__import__('posix').system(x)", "from posix import *\nsystem(x)",
                "import posix\nposix.execv('/bin/sh', ['sh', '-c', cmd])",
            ])
        try assertDecision(.block, ["import posix; posix.system('rm -rf /')"], rule: "sh-rm-rf-root")
    }

    func testRemovalsOfSystemAndHomePaths() throws {
        try assertDecision(
            .block,
            [
                "import shutil; shutil.rmtree('/')", "import os; os.unlink('/etc/passwd')", "import os; os.remove('/etc/passwd')",
                "import os; os.rmdir('/etc')", "import pathlib; pathlib.Path('/etc/passwd').unlink()", "from pathlib import Path\nPath('/usr').rmdir()",
                "import shutil, os; shutil.rmtree(os.path.expanduser('~'))", "import shutil, os; shutil.rmtree(os.path.expanduser('~/.ssh'))",
                "import shutil; shutil.rmtree('/home')", "import shutil; shutil.rmtree('~')", "import shutil; shutil.rmtree('/boot/')",
                "import shutil; shutil.rmtree(path='/var')", "import shutil\nfor p in ['/etc', '/usr']:\n    shutil.rmtree(p)",
                "import shutil; shutil.rmtree('/tmp/../etc')", "from pathlib import Path\nPath.home().rmdir()",
                "import os\nos.remove(os.path.join(os.path.expanduser('~'), '.bashrc'))", "import shutil\nd = '/bin'\nshutil.rmtree(d)",
            ],
            rule: "py-destructive-path")
        try assertDecision(
            .ask,
            [
                "import shutil; shutil.rmtree('/etc/' + name)", "import os; os.remove(os.path.join('/usr', name))",
                "import shutil; shutil.rmtree(f'/home/{user}')",
            ], rule: "py-destructive-path")
        try assertDecision(
            .allow,
            [
                "import shutil; shutil.rmtree(tmpdir)", "import os; os.remove(path)", "import shutil; shutil.rmtree(build_dir)",
                "import os; os.remove(os.path.join(d, name))", "import shutil; shutil.rmtree('build')", "import os; os.unlink('out.txt')",
                "from pathlib import Path\nPath(p).unlink()", "import shutil, tempfile\nd = tempfile.mkdtemp()\nshutil.rmtree(d)",
            ])
    }

    func testCommandsFoldedFromConstants() throws {
        try assertDecision(
            .block,
            [
                "import subprocess; subprocess.run('rm -rf /'.split())", "import subprocess; subprocess.run(['rm', '-rf', f'/'])",
                "import subprocess; subprocess.run(['rm', '-rf', '/' + ''])", "import subprocess; subprocess.run(['rm', '-rf', '/'][:])",
                "import subprocess\ncmd = ['rm', '-rf', '/']\nsubprocess.run(cmd)", "import subprocess; subprocess.run(['rm', '-rf', '/' if True else 'x'])",
                "import os\ncmd = 'rm -rf /'\nos.system(cmd)", "import os; os.system('rm -rf ' + '/')", "import os; os.system('%s -rf /' % 'rm')",
                "import os; os.system('{} -rf /'.format('rm'))", "import os; os.system(' '.join(['rm', '-rf', '/']))",
                "import shlex, subprocess\nsubprocess.run(shlex.split('rm -rf /'))",
                "import subprocess\ncmd = ['rm']\ncmd += ['-rf', '/']\nsubprocess.run(cmd)",
                "import subprocess\ncmd = ['rm', '-rf']\ncmd.append('/')\nsubprocess.call(cmd)", "import subprocess; subprocess.run(['rm -rf /'], shell=True)",
                "import subprocess; subprocess.run(['bash', '-lc', 'rm -rf /'])",
            ], rule: "sh-rm-rf-root")
        try assertDecision(
            .block, ["import subprocess; subprocess.run(['sh', '-c', cmd])", "import subprocess; subprocess.Popen(['/bin/bash', '-c', 'ls ' + d])"],
            rule: "py-subprocess-shell")
        try assertDecision(
            .block,
            [
                "import subprocess, sys\nsubprocess.run([sys.executable, '-c', \"import os; os.system('rm -rf /')\"])",
                "import subprocess\nsubprocess.run(*[['rm', '-rf', '/']])", "import os\nos.system(*['rm -rf /'])",
            ], rule: "sh-rm-rf-root")
        try assertDecision(.ask, ["import subprocess, sys\nsubprocess.run([sys.executable, '-c', code])"], rule: "py-subprocess-shell")
        try assertDecision(
            .allow,
            [
                "import subprocess; subprocess.run(['ls', '-l'])", "import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'print(1)'])",
                "import subprocess\ncmd = ['git', 'status']\nsubprocess.run(cmd)",
                "import subprocess; subprocess.run('ls -l'.split())", "import subprocess; subprocess.run(['rm', '-rf', 'build' if clean else 'dist'])",
            ])
    }

    func testExecAndSpawnWithAShellOrAComputedCommand() throws {
        try assertDecision(
            .block,
            [
                "import os; os.execvp(*['sh', ['sh', '-c', input()]])", "import os; os.execl('/bin/sh', 'sh', '-c', cmd)",
                "import os; os.spawnv(os.P_WAIT, '/bin/bash', ['bash', '-c', c])", "import os; os.execvp('sh', ['sh', '-c', 'rm -rf /'])",
            ])
        try assertDecision(
            .ask, ["import os; os.execv(program, args)", "import os; os.execvp('git', args)", "import os; os.spawnl(os.P_WAIT, p, p)"],
            rule: "py-process-start")
        try assertDecision(.allow, ["import os; os.execvp('git', ['git', 'status'])"])
        // A name is followed in its own scope: another function's binding does not count.
        try assertDecision(
            .allow, ["import subprocess\ndef a():\n    cmd = ['rm', '-rf', '/']\n    return cmd\ndef b():\n    cmd = ['ls']\n    subprocess.run(cmd)"])
        try assertDecision(
            .block,
            [
                "import subprocess\ncmd = ['rm', '-rf', '/']\ndef b():\n    subprocess.run(cmd)",
                "import subprocess\ndef b():\n    cmd = ['rm', '-rf', '/']\n    def c():\n        subprocess.run(cmd)",
            ], rule: "sh-rm-rf-root")
    }

    func testDangerousFunctionsUsedAsValues() throws {
        try assertDecision(
            .block,
            [
                "import os; os.system.__call__(x)", "import os; os.system.__self__.system(x)", "import functools, os; functools.partial(os.system, x)()",
                "import os; (lambda f: f(x))(os.system)", "import os; list(map(os.system, cmds))",
                "import multiprocessing, os; multiprocessing.Process(target=os.system, args=(x,)).start()",
                "import threading, os; threading.Thread(target=os.system, args=(c,)).start()",
                "import os; type('A', (), {'r': staticmethod(os.system)})", "import os\nclass A:\n    run = os.system",
                "import os\ndef deco(f):\n    return os.system", "from os import system as s\nlist(map(s, xs))", "f(eval)", "run(exec, code)",
                "import os\nmap(getattr(os, 'system'), xs)", "import os\nhandlers = [os.popen]", "import ctypes\nlibc = ctypes.CDLL(None)\ncall(libc.system)",
            ],
            rule: "py-dangerous-reference")
        try assertDecision(
            .ask, ["import subprocess, functools\nfunctools.partial(subprocess.run, shell=flag)", "import subprocess\nrunner = subprocess.check_output"],
            rule: "py-dangerous-reference")
        try assertDecision(
            .allow,
            [
                "import functools; functools.partial(print, x)", "map(str, xs)", "import os\nos.path.join(a, b)",
                "import threading\nthreading.Thread(target=work).start()", "def run(): pass\nrun()", "system = 'linux'\nprint(system)",
                "import subprocess\ndef wait(p: subprocess.Popen) -> int:\n    return p.wait()", "import subprocess\nisinstance(p, subprocess.Popen)",
            ])
    }

    func testFunctionsReachedByName() throws {
        try assertDecision(
            .block,
            [
                "import operator, os; operator.methodcaller('system', x)(os)", "import operator, os; operator.attrgetter('system')(os)(x)",
                "import pkgutil; pkgutil.resolve_name('os:system')(x)", "import sys; sys.modules['o' + 's'].system(x)",
                "import sys; sys.modules[name].system(x)", "import os\nos.__dict__.get('system')(x)", "globals().get('eval')(x)",
            ])
        try assertDecision(
            .ask, ["import pkgutil; pkgutil.resolve_name(n)", "import operator; operator.methodcaller(name)(obj)", "import sys; m = sys.modules[name]"])
        try assertDecision(
            .allow,
            [
                "import operator; operator.attrgetter('name')(obj)", "import sys; sys.modules[__name__]", "import pkgutil; pkgutil.resolve_name('json:dumps')",
                "d.get('eval')",
            ])
    }

    func testCodeRunnersAndTheCodeTheyAreGiven() throws {
        try assertDecision(
            .block,
            [
                "import timeit; timeit.timeit(\"import os; os.system('rm -rf /')\")", "exec(\"import os; os.system(\\\"rm -rf /\\\")\")",
                "import timeit; timeit.Timer(setup=\"__import__('os').system(x)\")", "import cProfile; cProfile.run(\"import os; os.system(c)\")",
                "import base64\nexec(base64.b64decode('aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ3JtIC1yZiAvJyk='))",
                "exec(compile(\"import os; os.system('rm -rf /')\", 'f', 'exec'))", "exec(\"exec('import os; os.system(c)')\")",
            ])
        try assertDecision(
            .ask,
            [
                "import timeit; timeit.Timer(x)", "import cProfile; cProfile.run(x)", "import profile; profile.run(x)", "import pdb; pdb.run(x)",
                "import code; code.InteractiveInterpreter().runsource(x)", "import code\nc = code.InteractiveConsole()\nc.push(line)",
                "import code; code.interact()",
                "import runpy; runpy.run_path(p)", "import runpy; runpy.run_module(m)", "breakpoint()", "exec(code)", "eval(expression)",
            ],
            rule: nil)
        try assertDecision(
            .allow, ["import timeit; timeit.timeit('x=1')", "import timeit; timeit.timeit(lambda: f(1), number=10)", "exec('x = 1')", "eval('1 + 2')"])
    }

    func testCtypesStarImportAndDeserialisers() throws {
        try assertDecision(
            .block, ["from ctypes import *; CDLL(None).execv(a, b)", "from ctypes import *\nlibc = cdll.LoadLibrary('libc.so.6')\nlibc.system(c)"],
            rule: "py-ctypes-exec")
        try assertDecision(
            .ask,
            [
                "import _pickle; _pickle.loads(b)", "import cPickle; cPickle.loads(b)", "import numpy as np; np.load(f, allow_pickle=True)",
                "import joblib; joblib.load(f)", "import dill; dill.loads(b)", "import shelve; shelve.open(f)", "import pandas; pandas.read_pickle(f)",
                "import numpy; numpy.load(f, allow_pickle=flag)",
            ], rule: "py-pickle")
        try assertDecision(.allow, ["import numpy as np; np.load(f)", "import numpy as np; np.load(f, allow_pickle=False)", "import json; json.loads(s)"])
    }

    func testFoldingStaysBoundedAndReachesNames() throws {
        // Widths and doubling names could build any size of text: left unknown (a computed command, high), never expanded.
        let doubling =
            "import os\na = 'xxxxxxxx'\n" + (0..<30).map { "v\($0 + 1) = v\($0) + v\($0)" }.joined(separator: "\n").replacingOccurrences(of: "v0", with: "a")
        try assertDecision(
            .block, ["import os\nos.system('%999999999s' % 'x')", "import os\nos.system('{:999999999}'.format('x'))", doubling + "\nos.system(v30)"],
            rule: "py-shell-call")
        try assertDecision(.block, ["__import__('po' + 'six').system(x)", "import os\ngetattr(os, 'sys' + 'tem')(x)"], rule: "py-shell-call")
        try assertDecision(.block, ["import shutil, os\nshutil.rmtree(os.sep)"], rule: "py-destructive-path")
    }

    func testReversedSlicesAndCharacterCodesFold() throws {
        try assertDecision(
            .block,
            [
                "import subprocess\nsubprocess.run(['rm', '-rf', '/ '[::-1].strip()])", "import subprocess\nsubprocess.run([chr(114) + 'm', '-rf', '/'])",
                "import subprocess\nsubprocess.run(['rm', '-rf', '/'][-3:])",
            ], rule: "sh-rm-rf-root")
    }

    func testFilesThatArePythonWithoutAPyName() {
        XCTAssertEqual(CodeLanguage.detect(path: "tool.py3", text: nil), .python)
        XCTAssertEqual(CodeLanguage.detect(path: "gui.pyw", text: nil), .python)
        for shebang in ["#!/usr/local/bin/pypy3", "#!/usr/bin/env pypy", "#!/usr/bin/env python3.11", "#!/usr/bin/python2", "#!/usr/bin/env -S python3 -u"] {
            XCTAssertEqual(CodeLanguage.detect(path: "tool", text: "\(shebang)\nimport os\n"), .python, shebang)
        }
    }
}
