import Foundation
import MinicGit

/// Who is acting: the person approving or proposing, as git would name them.
public enum Identity {
    /// `MINIC_USER` ("Name <email>") if set, else git's `user.name`/`user.email`,
    /// else the login name at the host name.
    /// Controls and escape sequences are removed (``CommitText``): the result goes into commit headers.
    public static func current(repository: Repository?, environment: [String: String]) -> Signature {
        if let text = environment["MINIC_USER"], let parsed = parse(text) { return parsed }
        if let repository, let configured = repository.configuredSignature(),
            let name = CommitText.title(configured.name), let email = CommitText.title(configured.email)
        {
            return Signature(name: name, email: email)
        }
        let user = CommitText.title(environment["USER"] ?? environment["LOGNAME"]) ?? "minic"
        let host = ProcessInfo.processInfo.hostName
        return Signature(name: user, email: "\(user)@\(host.isEmpty ? "localhost" : host)")
    }

    /// The signature minic itself uses for automatic actions.
    public static let automatic = Signature(name: "minic", email: "minic@localhost")

    /// Parses `Name <email>`.
    public static func parse(_ text: String) -> Signature? {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { return nil }
        guard !text.contains("\n"), let name = CommitText.title(String(text[..<open])),
            let email = CommitText.title(String(text[text.index(after: open)..<close]))
        else { return nil }
        return Signature(name: name, email: email)
    }
}
