import Foundation
import MinicCore
import MinicGit
import MinicTrust

/// One person's signed approval of one proposal head, kept in a git note on that head
/// (`refs/notes/minic/approvals`, `git notes --ref=minic/approvals show HEAD-OF-PROPOSAL`).
///
/// The signature covers the proposal's id and the exact head commit, so an approval never counts for another
/// proposal or for a head pushed after it; its text starts `minic approval`, which no git commit or tag does,
/// so it cannot stand in for a commit's signature either.
public struct Approval: Codable, Sendable, Equatable {
    public static let notesRef = "refs/notes/minic/approvals"

    public let proposal: String
    public let head: String
    /// Who approved, as they named themselves (`Name <email>`): shown, never trusted; the key decides.
    public let approver: String
    public let date: Date
    /// The armored SSH signature of ``payload``.
    public let signature: String

    public init(proposal: String, head: String, approver: String, date: Date, signature: String) {
        self.proposal = proposal
        self.head = head
        self.approver = approver
        self.date = date
        self.signature = signature
    }

    /// What the signature signs: the proposal, its exact head and the date (who approved is the key's business).
    public static func payload(proposal: String, head: String, date: Date) -> [UInt8] {
        Array("minic approval\nproposal \(proposal)\nhead \(head)\ndate \(Int(date.timeIntervalSince1970))\n".utf8)
    }

    var payload: [UInt8] { Self.payload(proposal: proposal, head: head, date: date) }

    /// The trailer a merge carries for each approval it counted, so that verification can count them again from the
    /// commit alone (notes are not fetched with main): `Approval-Signature: DATE BASE64`, the signature's blob.
    public static let trailer = "Approval-Signature"

    /// The trailer's value.
    var trailerValue: String? {
        let body = signature.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        guard !body.isEmpty else { return nil }
        return "\(Int(date.timeIntervalSince1970)) \(body)"
    }

    /// An approval rebuilt from a merge's trailer, for the proposal and head the merge names.
    init?(trailer value: String, proposal: String, head: OID) {
        let fields = value.split(separator: " ")
        guard fields.count == 2, let seconds = Int(fields[0]), fields[1].count <= 16_384 else { return nil }
        var lines = ["-----BEGIN SSH SIGNATURE-----"]
        var rest = Substring(fields[1])
        while !rest.isEmpty {
            lines.append(String(rest.prefix(70)))
            rest = rest.dropFirst(70)
        }
        lines.append("-----END SSH SIGNATURE-----")
        self.init(proposal: proposal, head: head.hex, approver: "", date: Date(timeIntervalSince1970: TimeInterval(seconds)), signature: lines.joined(separator: "\n"))
    }

    /// The key that signed, when the signature checks out for this proposal and head.
    public func verifiedKey(proposal expected: String, head expectedHead: OID) -> SSHPublicKey? {
        guard proposal == expected, head == expectedHead.hex, let parsed = SSHSignature(armored: signature), parsed.isValid(for: payload, namespace: "git") else {
            return nil
        }
        return parsed.publicKey
    }

    /// The approvals in a note's text: one JSON object per line; lines that do not parse are skipped (they approve nothing).
    static func parse(_ text: String) -> [Approval] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return text.split(whereSeparator: \.isNewline).compactMap { line in try? decoder.decode(Approval.self, from: Data(line.utf8)) }
    }

    static func text(_ approvals: [Approval]) throws(MinicError) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines: [String] = []
        for approval in approvals {
            guard let data = try? encoder.encode(approval) else { throw .internal("cannot encode an approval") }
            lines.append(String(decoding: data, as: UTF8.self))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
