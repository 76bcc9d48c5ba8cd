import Foundation
import MinicTestSupport
import XCTest

@testable import MinicTrust

/// The armored signature and the fingerprint are read in plain Swift (Foundation's trimming cost each process's first
/// verification several tenths of a millisecond): what they accept is exactly what Foundation's trimming accepted.
final class SSHSignatureParsingTests: XCTestCase {
    func testLinesAreTrimmedExactlyAsFoundationTrimsWhitespaces() {
        // Foundation's .whitespaces on Linux: tab, the space separators, and the zero-width space.
        let blanks = ["", " ", "\t", "\u{00A0}", "\u{1680}", "\u{2002}", "\u{200A}", "\u{200B}", "\u{202F}", "\u{205F}", "\u{3000}", " \t\u{3000}"]
        // Not trimmed by either: other format characters (BOM, the Mongolian vowel separator), line ends inside a
        // line, a combining mark after a blank.
        let others = ["\u{FEFF}", "\u{180E}", "\u{200C}", "\r", " \u{0301}", "\u{0301}", "x", "-----END SSH SIGNATURE-----"]
        for before in blanks + others {
            for after in blanks + others {
                let line = before + "U1NIU0lH AA" + after
                XCTAssertEqual(
                    String(SSHSignature.trimmingBlanks(Substring(line))), line.trimmingCharacters(in: .whitespaces),
                    "\(line.unicodeScalars.map { String($0.value, radix: 16) })")
            }
        }
        XCTAssertEqual(SSHSignature.trimmingBlanks(" \t\u{3000}"), "")
    }

    func testAnSSHKeygenSignatureParsesWithBlanksAroundItsLinesAndTheFingerprintIsSSHKeygens() throws {
        let keys = SSHKeys()
        let key = keys.make("signer")
        let directory = TemporaryDirectory("sshsig")
        directory.write("message", "tree 0123\n\nmessage\n")
        let signed = Shell.run("ssh-keygen", ["-Y", "sign", "-f", key, "-n", "git", directory.path + "/message"])
        XCTAssertEqual(signed.status, 0, signed.stderr)
        let armored = try XCTUnwrap(directory.read("message.sig"))
        let message = Array("tree 0123\n\nmessage\n".utf8)

        let signature = try XCTUnwrap(SSHSignature(armored: armored))
        XCTAssertTrue(signature.isValid(for: message, namespace: "git"))
        // Blanks Foundation's trimming removed are still removed; anything else still spoils the armor.
        let padded = armored.split(separator: "\n").map { "\u{3000}\t " + $0 + " \u{00A0}" }.joined(separator: "\r\n")
        XCTAssertTrue(try XCTUnwrap(SSHSignature(armored: padded)).isValid(for: message, namespace: "git"))
        XCTAssertNil(SSHSignature(armored: armored.replacingOccurrences(of: "-----END", with: "\u{FEFF}-----END")))

        let listed = Shell.run("ssh-keygen", ["-l", "-E", "sha256", "-f", key + ".pub"]).stdout.split(separator: " ")
        XCTAssertEqual(signature.publicKey.fingerprint, listed.count > 1 ? String(listed[1]) : "")
    }
}
