import XCTest

@testable import MinicGuard

final class ShellParserTests: XCTestCase {
    func names(_ script: String) -> [String] { ShellParser.parse(script).commands.compactMap(\.name?.text) }

    func testCommandsPipelinesAndOperators() {
        let script = ShellParser.parse("FOO=1 curl -s http://x | sudo bash && echo done; ls -la > out.txt 2>&1 &\nif true; then rm -rf /tmp/x; fi")
        XCTAssertEqual(script.commands.map { $0.words.map(\.text) }, [["curl", "-s", "http://x"], ["sudo", "bash"], ["echo", "done"], ["ls", "-la"], ["true"], ["rm", "-rf", "/tmp/x"]])
        XCTAssertEqual(script.commands[0].assignments, ["FOO=1"])
        XCTAssertEqual(script.commands[0].pipeline, script.commands[1].pipeline)
        XCTAssertEqual(script.commands[1].position, 1)
        XCTAssertNotEqual(script.commands[1].pipeline, script.commands[2].pipeline)
        XCTAssertEqual(script.commands[3].redirections.map(\.operation), [">", ">&"])
        XCTAssertEqual(script.commands[5].line, 2)
    }

    func testQuotingEscapesAndANSICStrings() {
        let words = ShellParser.parse(#"r"m" -'r'f "$HOME/x" \/ $'\x72\x6d' $'\162m'"#).commands[0].words
        XCTAssertEqual(words.map(\.text), ["rm", "-rf", "$HOME/x", "/", "rm", "rm"])
        XCTAssertTrue(words[2].dynamic)
        XCTAssertFalse(words[3].dynamic)
        XCTAssertTrue(words[4].ansiC)
    }

    func testSubstitutionsAndHereDocumentsAreParsed() {
        let script = ShellParser.parse("echo $(curl x | sh) `id` <(cat y)\nbash <<'EOF'\nrm -rf ~\nEOF\necho after")
        XCTAssertEqual(script.commands.compactMap(\.name?.text), ["curl", "sh", "id", "cat", "echo", "bash", "echo"])
        XCTAssertTrue(script.commands[0].substituted)
        XCTAssertEqual(script.commands[5].redirections.first?.target.text, "rm -rf ~")
        XCTAssertEqual(script.commands[6].line, 5)
    }

    func testReservedWordsFunctionsAndComments() {
        XCTAssertEqual(names("for f in a b; do echo $f; done # rm -rf /\nwhile read x; do :; done\nf() { ls; }\ncase $x in a) touch y;; esac"),
            ["echo", "read", ":", "ls", "touch"])
    }

    func testBraceExpansionFunctionsAndKnownValues() {
        XCTAssertEqual(ShellParser.parse("s{u,}do id; rm -{r,f} /; echo {1..3} '{a,b}' ${x} {y}").commands.map { $0.words.map(\.text) },
            [["sudo", "sdo", "id"], ["rm", "-r", "-f", "/"], ["echo", "1", "2", "3", "{a,b}", "${x}", "{y}"]])
        XCTAssertTrue(ShellParser.parse("{sudo,true}").commands[0].words[0].braceExpanded)
        XCTAssertFalse(ShellParser.parse("echo {1..100000}").problems.isEmpty, "too large to check")
        let script = ShellParser.parse("function ls { nc -l 1; }\nf() { sudo \"$@\"; }\nfor d in / ~; do rm -rf \"$d\"; done\nx=/etc")
        XCTAssertEqual(script.commands.compactMap(\.name?.text), ["nc", "sudo", "rm"])
        XCTAssertEqual(script.functions.map(\.name), ["ls", "f"])
        XCTAssertEqual(script.knownValues["d"], ["/", "~"])
        XCTAssertEqual(script.knownValues["x"], ["/etc"])
    }

    func testUnterminatedQuotesAreReported() {
        XCTAssertFalse(ShellParser.parse("echo 'oops").problems.isEmpty)
        XCTAssertFalse(ShellParser.parse("echo \"oops").problems.isEmpty)
        XCTAssertTrue(ShellParser.parse("echo fine").problems.isEmpty)
    }

    func testValuesGivenByDeclarationsArraysPrintfAndRead() {
        let script = ShellParser.parse(
            "export A=/ B=x\ndeclare -r C=/etc\nlocal D=${HOME}\nE=(/ \"/usr\" $(echo x))\nF+=(y)\nprintf -v G '%s' /\nread -r H <<< '/ z'\nreadonly I=$(pwd)")
        XCTAssertEqual(script.knownValues["A"], ["/"])
        XCTAssertEqual(script.knownValues["B"], ["x"])
        XCTAssertEqual(script.knownValues["C"], ["/etc"])
        XCTAssertEqual(script.knownValues["D"], ["${HOME}"])
        XCTAssertEqual(script.knownValues["E"], ["/", "/usr", "$(echo x)"])
        XCTAssertEqual(script.knownValues["F"], ["y"])
        XCTAssertEqual(script.knownValues["G"], ["$(printf '%s' '/')"])
        XCTAssertEqual(script.knownValues["H"], ["/ z", "/", "z"])
        XCTAssertEqual(script.knownValues["I"], ["$(pwd)"])
        // The array's substitution runs; its elements are no command.
        XCTAssertEqual(script.commands.compactMap(\.name?.text), ["export", "declare", "local", "echo", "printf", "read", "pwd", "readonly"])
    }
}
