/// Proposal ids: a zero-padded sequence number and a slug of the title, e.g.
/// `0007-tighten-review-template`. Short, unique and sorting in creation order.
public enum ProposalID {
    /// The slug of a title: lower-case ASCII letters and digits joined by single dashes, at most 40 characters.
    public static func slug(_ title: String) -> String {
        var slug = ""
        var pendingDash = false
        for scalar in title.lowercased().unicodeScalars {
            if scalar.isASCII && (("a"..."z").contains(Character(scalar)) || ("0"..."9").contains(Character(scalar))) {
                if pendingDash && !slug.isEmpty { slug += "-" }
                pendingDash = false
                slug.unicodeScalars.append(scalar)
                if slug.count >= 40 { break }
            } else {
                pendingDash = true
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "proposal" : slug
    }

    /// The sequence number at the front of an id, if it has one.
    public static func number(of id: String) -> Int? {
        let digits = id.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        return Int(digits)
    }

    /// Whether `query`, as a person types it for a proposal, names `id` short of spelling it out:
    /// digits alone are its number (`3`, `0003`: the digits before its first `-` are that number,
    /// so `3` is `0003-x`, never `0030-x`); anything else is the start of the id (`0003-con`).
    /// The full id is matched before this is asked (see `ProposalStore.find`).
    public static func matches(_ id: String, query: String) -> Bool {
        guard !query.isEmpty else { return false }
        guard query.allSatisfy({ $0.isASCII && $0.isNumber }) else { return id.hasPrefix(query) }
        let digits = id.prefix { $0.isASCII && $0.isNumber }
        let rest = id.dropFirst(digits.count)
        guard !digits.isEmpty, rest.isEmpty || rest.hasPrefix("-"), let wanted = number(of: query) else { return false }
        return number(of: String(digits)) == wanted
    }

    /// The id for the proposal numbered `number`.
    public static func make(number: Int, title: String) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "-" + slug(title)
    }
}
