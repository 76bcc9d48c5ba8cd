import MinicGuard
import XCTest

/// Spellings an adversarial tester got past the shell analyser: paths not normalised, abbreviated long options,
/// expansions and variables that yield a system path, positional parameters, and shells given text to run.
/// Each class: destructive ones block, unknown ones ask, everyday ones stay clean.
final class ShellAnalyzerEvasionTests: XCTestCase {
    func assertDecision(_ decision: Decision, _ scripts: [String], rule: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        assertShellDecision(decision, scripts, rule: rule, file: file, line: line)
    }

    let everyday = [
        "rm -rf ./build", "tmpdir=$(mktemp -d); rm -rf \"$tmpdir\"", "rm -rf \"${BUILD_DIR:?}/out\"", "find . -name '*.o' -delete", "chmod 755 ./bin/tool",
        "mv a b", "echo \"hello\" | cat", "rsync -a src/ dst/", "rm -rf ../x/build", "rm -rf /tmp/x/../y", "arr=(a b); rm -rf \"${arr[@]}\"",
    ]

    func testPathsAreNormalisedAndGlobsOfSystemPathsCount() {
        assertDecision(
            .block,
            [
                "rm -rf /usr/../etc", "rm -rf /./etc", "rm -rf //etc", "rm -rf /tmp/../../", "rm -rf /e?c", "rm -rf /[e]tc", "rm -rf /etc/*", "rm -rf /*",
                "rm -rf /u*", "rm -rf /usr/lib/*", "rm -rf ~root", "rm -rf ~user/", "rm -rf ~/.ssh", "rm -rf $HOME/.ssh", "rm -rf ~/..",
                "rm -rf \"${HOME}/.gnupg\"",
            ],
            rule: "sh-rm-rf-root")
        assertDecision(.allow, everyday)
    }

    func testAbbreviatedLongOptionsReadAsGetoptDoes() {
        assertDecision(
            .block, ["rm --rec --for /etc", "rm --r --f /", "rm --re --fo ~", "rm --recursive --force /usr", "rm --recur /", "rm --no-pres /"],
            rule: "sh-rm-rf-root")
        assertDecision(.allow, ["rm --verbose ./x", "rm --force ./x.log"])
    }

    func testExpansionsAndAssignedVariables() {
        assertDecision(
            .ask,
            [
                "rm -rf ${PWD:0:1}", "rm -rf ${HOME/root/}", "rm -rf \"${HOME%/*}\"", "rm -rf ${X#abc}", "rm -rf ${!name}", "rm -rf \"${X^^}\"",
                "rm -rf $(foo)", "rm -r \"${p//x/}\"/sub",
            ], rule: "sh-rm-computed")
        assertDecision(
            .block,
            [
                "export X=/; rm -rf $X", "declare X=/; rm -rf \"$X\"", "f() { local X=/; rm -rf $X; }", "readonly X=/; rm -rf $X",
                "typeset -x X=/etc; rm -rf $X", "declare -r X=/ Y=1; rm -rf $X", "X=${HOME}; rm -rf \"$X\"", "Y=/; X=$Y; rm -rf \"$X\"",
                "X=(/ /etc); rm -rf \"${X[@]}\"", "declare -a X=(a /); rm -rf \"${X[1]}\"", "printf -v X /; rm -rf \"$X\"",
                "printf -v X '%s' /etc; rm -rf $X", "read X <<< /; rm -rf \"$X\"", "read -r X <<< '/etc'; rm -rf $X",
                "rm -rf $(printf \"\\x2f\")", "rm -rf $(printf '\\057etc')", "rm -rf $(echo -e '\\x2f')", "for d in $(echo /); do rm -rf $d; done",
                "rm -rf \"${X:-$HOME}\"", "X=$(echo / /etc); rm -rf $X", "rm -r \"${p//x/}\"/",
            ], rule: "sh-rm-rf-root")
        assertDecision(.allow, ["X=$(pwd)/build; rm -rf \"$X\"", "export OUT=./out; rm -rf \"$OUT\"", "read name <<< x; rm -rf \"./$name\""])
    }

    func testPositionalParametersBoundToTheCallsArguments() {
        assertDecision(
            .block,
            [
                "f() { rm -rf \"$1\"; }; f /", "function g { rm -rf \"$@\"; }\ng a /etc", "h() { rm -rf ${2}; }; h x ~",
                "sh -c 'rm -rf $0' /", "bash -c 'rm -rf \"$@\"' x /etc", "bash -c 'rm -rf $1' _ ~", "sh -c 'rm -rf \"$*\"' sh /",
            ],
            rule: "sh-rm-rf-root")
        assertDecision(.allow, ["f() { rm -rf \"$1\"; }; f ./build", "sh -c 'rm -rf \"$1\"' sh ./out"])
    }

    func testQuotedAssignmentsAndCommandsNamedByVariables() {
        assertDecision(
            .block,
            ["X=\"/\"; rm -rf $X", "d=\"$HOME\"; rm -rf \"$d\"", "X='/etc'; rm -rf \"$X\"", "X=\"rm -rf /\"; $X", "cmd=(rm -rf /); \"${cmd[@]}\"",
             "f() { \"$@\"; }; f rm -rf /", "sh -c '\"$@\"' sh rm -rf /", "run() { echo \"+ $*\"; \"$@\"; }; run sudo rm -rf ~"],
            rule: "sh-rm-rf-root")
        assertDecision(.ask, ["CMD=ls; $CMD -l", "run() { \"$@\"; }; run make"], rule: "sh-dynamic-command")
        assertDecision(.allow, ["\"X=/\" 2>/dev/null; rm -rf \"./$X\"", "X=\"./build\"; rm -rf \"$X\""])
    }

    func testShellsInEveryOptionOrder() {
        assertDecision(
            .block,
            [
                "bash -c -- \"rm -rf /\"", "bash -e -c \"rm -rf /\"", "bash -ec 'rm -rf /'", "sh -xc 'rm -rf /'", "bash -o pipefail -c 'rm -rf /'",
                "zsh -c 'rm -rf /'", "ksh -c 'rm -rf /'", "dash -c 'rm -rf /'", "fish -c 'rm -rf /'", "fish --command='rm -rf /'",
                "busybox sh -c 'rm -rf /'", "/bin/bash --norc -c 'rm -rf ~'",
            ], rule: "sh-rm-rf-root")
        assertDecision(.allow, ["bash -c 'echo hi'", "sh -e ./configure", "bash build.sh /"])
    }

    func testLiteralTextPipedOrFedToAShell() {
        assertDecision(
            .block,
            [
                "echo \"rm -rf /\" | bash", "echo rm -rf / | sh", "printf \"rm -rf /\" | sh", "printf '%s\\n' 'rm -rf /' | bash",
                "cat <<EOF | sh\nrm -rf /\nEOF", "echo \"sudo rm -rf ~\" | bash -s", ". /dev/stdin <<< \"rm -rf /\"", "bash <<< \"rm -rf /\"",
                "source /dev/stdin <<< 'rm -rf ~'", "sh <<'X'\nrm -rf /etc\nX", "source <(echo 'rm -rf /')", "bash <(echo rm -rf /)",
                "echo 'echo \"rm -rf /\" | sh' | bash",
            ], rule: "sh-rm-rf-root")
        assertDecision(
            .block, ["echo 'rm -rf /' > x.sh; bash x.sh", "cat > /tmp/x <<EOF\nrm -rf ~\nEOF\nchmod +x /tmp/x; /tmp/x", "printf 'rm -rf /etc' > a; . ./a"],
            rule: "sh-rm-rf-root")
        assertDecision(.ask, ["cat foo | sh", "generate | bash -s", "./gen.py | zsh"], rule: "sh-pipe-to-shell")
        assertDecision(
            .allow,
            [
                "echo hi | sh -c 'cat'", "echo 'echo hi' | sh", "echo 'echo hi' > x.sh; sh x.sh", "cat > c.sh <<'EOF'\nrm -rf /\nEOF", "echo \"hello\" | cat",
                "printf 'a\\n' | sort",
            ])
    }
}
