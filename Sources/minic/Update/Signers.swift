import ArgumentParser
import Foundation
import MinicCore
import MinicGit
import MinicTrust
import MinicUpdates

struct SignersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signers", abstract: "List, add or remove the keys that approve changes (allowed_signers).",
        subcommands: [SignersList.self, SignersAdd.self, SignersRemove.self], defaultSubcommand: SignersList.self)
}

struct SignersList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Print the keys in allowed_signers at the head.")
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open(verifying: false)
        let head = try home.head().commit
        let tree = try git("reading the head") { () throws(GitError) in try home.repository.commit(head).treeID }
        let signers = try home.allowedSigners(inTree: tree)
        let views = signers.entries.map { SignerView(principals: $0.principals, role: $0.role.rawValue, key_type: $0.key.type, fingerprint: $0.key.fingerprint, line: $0.line) }
        if output.json { return try Output.json(views) }
        if views.isEmpty { print("no keys: this home is unsigned (add the first admin with `minic update signers add PRINCIPAL KEY.pub --role admin`)") }
        for view in views { print(Output.safe("\(view.principals) \(view.role) \(view.key_type) \(view.fingerprint)")) }
    }
}

struct SignerView: Encodable {
    let principals: String
    let role: String
    let key_type: String
    let fingerprint: String
    let line: Int
}

struct SignersAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a key to allowed_signers, in a commit on main signed by an admin.",
        discussion: "KEY is a public key file (.pub) or the key text (`ssh-ed25519 AAAA...`). The first key of a home must be an admin's; from then on every change needs an admin's signature (updates.signing_key, MINIC_SIGNING_KEY or git's user.signingkey).")

    @Argument(help: "Who the key belongs to (one word, such as an e-mail address).") var principal: String
    @Argument(help: "The public key: a .pub file or the key text.") var key: String
    @Option(help: "review (merges a person approved), auto (merges minic made by itself) or admin.") var role: SignerRole = .review
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open()
        let text = FileManager.default.contents(atPath: key).map { String(decoding: $0, as: UTF8.self) } ?? key
        guard let publicKey = SSHPublicKey(line: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw MinicError.badInput("\(Output.safe(String(key.prefix(80)))): not an SSH public key minic can check (a .pub file of an ed25519, ecdsa or rsa key)")
        }
        let change = try UpdateEngine(home: home).addSigner(principal: principal, key: publicKey, role: role)
        try SignersView.print(change, json: output.json)
    }
}

struct SignersRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove the keys of a principal (or one key, by its SHA256 fingerprint), in an admin's signed commit.")

    @Argument(help: "The principals field as listed, or a SHA256:... fingerprint.") var who: String
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open()
        let change = try UpdateEngine(home: home).removeSigner(who)
        try SignersView.print(change, json: output.json)
    }
}

struct SignersView: Encodable {
    let commit: String
    let previous_head: String
    let lines: [String]
    let signed: Bool

    static func print(_ change: SignersChange, json: Bool) throws {
        let view = SignersView(commit: change.commit.hex, previous_head: change.previousHead.hex, lines: change.lines, signed: change.signed)
        if json { return try Output.json(view) }
        Swift.print("main at \(change.commit.short) (was \(change.previousHead.short))\(change.signed ? ", signed" : ", unsigned: no key was in force")")
        for line in change.lines { Swift.print(Output.safe("  " + line)) }
    }
}

extension SignerRole: ExpressibleByArgument {}
