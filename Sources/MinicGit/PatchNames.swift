/// File names in patch headers: read as `git apply` reads them, checked, and written back quoted
/// where libgit2 needs it.
enum PatchNames {
    // MARK: - reading

    /// The name on a `--- ` or `+++ ` line (`nil` for `/dev/null`), and whether that side exists: not for
    /// `/dev/null` nor for an epoch timestamp (`diff -N`'s mark of a missing file). A tab ends the name;
    /// without one, a trailing date is dropped.
    static func plainName(_ line: PatchLine) throws(GitError) -> (name: [UInt8]?, exists: Bool) {
        let rest = line.content.dropFirst(4)
        if rest.first == UInt8(ascii: "\"") {
            guard let (name, after) = unquote(rest) else { throw PatchText.refusal(line, "malformed quoted file name") }
            let stamp = after.drop { $0 == UInt8(ascii: "\t") }
            return (name, !isEpoch(stamp))
        }
        if rest.starts(with: "/dev/null".utf8) && (rest.count == 9 || isSpace(rest[rest.startIndex + 9])) { return (nil, false) }
        if let tab = rest.firstIndex(of: UInt8(ascii: "\t")) { return (Array(rest[..<tab]), !isEpoch(rest[(tab + 1)...])) }
        if let dated = Timestamp.nameBeforeDate(rest) { return (Array(dated), true) }
        return (Array(rest), true)
    }

    /// How many leading directories a plain pair's names carry as a prefix: one when they start with
    /// different directories (`a/x` and `b/x`; `orig/x` and `new/x` from `diff -r orig new`), or, for a
    /// created or deleted file, when the one name starts with `a/` or `b/`; none otherwise, so `--- src/x` /
    /// `+++ src/x` means `src/x`. (git apply would strip `src/` there and look for `x`: it needs `-p0`.)
    static func prefixCount(old: [UInt8]?, new: [UInt8]?) -> Int {
        func top(_ name: [UInt8]) -> ArraySlice<UInt8>? { name.firstIndex(of: UInt8(ascii: "/")).map { name[..<$0] } }
        switch (old, new) {
        case (let old?, let new?):
            guard let oldTop = top(old), let newTop = top(new) else { return 0 }
            return oldTop.elementsEqual(newTop) ? 0 : 1
        case (let name?, nil), (nil, let name?):
            return name.starts(with: "a/".utf8) || name.starts(with: "b/".utf8) ? 1 : 0
        case (nil, nil):
            return 0
        }
    }

    /// A whole-line path of an extended header (`rename from X`), unquoted when quoted.
    static func unquoted(_ text: ArraySlice<UInt8>, line: PatchLine) throws(GitError) -> [UInt8] {
        guard text.first == UInt8(ascii: "\"") else { return Array(text) }
        guard let (name, rest) = unquote(text), rest.isEmpty else { throw PatchText.refusal(line, "malformed quoted file name") }
        return name
    }

    /// Checks every name a `diff --git` line could hold. Unquoted names with spaces cannot be told
    /// apart there, so each space-separated word is checked on its own: stricter, never looser.
    static func checkGitHeader(_ line: PatchLine) throws(GitError) {
        var rest = line.rest(after: "diff --git ")
        while let start = rest.firstIndex(where: { $0 != UInt8(ascii: " ") }) {
            rest = rest[start...]
            let word: [UInt8]
            if rest.first == UInt8(ascii: "\"") {
                guard let (name, after) = unquote(rest) else { throw PatchText.refusal(line, "malformed quoted file name") }
                (word, rest) = (name, after)
            } else {
                let end = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
                (word, rest) = (Array(rest[..<end]), rest[end...])
            }
            try check(word, line: line)
        }
    }

    /// C-style quoting as git writes it (`"a/tab\there"`, octal `\303\251`): the name and what follows the closing quote.
    static func unquote(_ text: ArraySlice<UInt8>) -> ([UInt8], ArraySlice<UInt8>)? {
        guard text.first == UInt8(ascii: "\"") else { return nil }
        var name: [UInt8] = []
        var at = text.startIndex + 1
        let escapes: [UInt8: UInt8] = [
            UInt8(ascii: "a"): 7, UInt8(ascii: "b"): 8, UInt8(ascii: "t"): 9, UInt8(ascii: "n"): 10, UInt8(ascii: "v"): 11,
            UInt8(ascii: "f"): 12, UInt8(ascii: "r"): 13, UInt8(ascii: "\""): 34, UInt8(ascii: "\\"): 92,
        ]
        while at < text.endIndex {
            let byte = text[at]
            if byte == UInt8(ascii: "\"") { return (name, text[(at + 1)...]) }
            guard byte == UInt8(ascii: "\\") else {
                name.append(byte)
                at += 1
                continue
            }
            guard at + 1 < text.endIndex else { return nil }
            let next = text[at + 1]
            if let plain = escapes[next] {
                name.append(plain)
                at += 2
            } else if at + 3 < text.endIndex, let octal = Self.octal(text[(at + 1)...(at + 3)]) {
                name.append(octal)
                at += 4
            } else {
                return nil
            }
        }
        return nil
    }

    private static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
            value = value * 8 + Int(digit - UInt8(ascii: "0"))
        }
        return value <= 0xFF ? UInt8(value) : nil
    }

    /// git's `has_epoch_timestamp` on what follows the tab: `1970-01-01 00:00:00[.0…] +0000`, or the same
    /// instant in another zone (`1969-12-31 19:00:00 -0500`).
    static func isEpoch(_ stamp: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: stamp, as: UTF8.self)
        let epochHour: Int
        if text.hasPrefix("1969-12-31 ") {
            epochHour = 24
        } else if text.hasPrefix("1970-01-01 ") {
            epochHour = 0
        } else {
            return false
        }
        let parts = text.dropFirst(11).split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let clock = parts[0].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let hms = clock[0].split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 3, hms.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }), hms[2] == "00",
            let hour = Int(hms[0]), let minute = Int(hms[1]), minute < 60
        else { return false }
        if clock.count == 2, clock[1].isEmpty || !clock[1].allSatisfy({ $0 == "0" }) { return false }
        var zone = Substring(parts[1])
        guard let sign = zone.first, sign == "+" || sign == "-" else { return false }
        zone = zone.dropFirst()
        let digits = zone.filter { $0 != ":" }
        guard digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let zoneHours = Int(digits.prefix(2)),
            let zoneMinutes = Int(digits.suffix(2))
        else { return false }
        let offset = (zoneHours * 60 + zoneMinutes) * (sign == "-" ? -1 : 1)
        return hour * 60 + minute - offset == epochHour * 60
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || (byte >= 9 && byte <= 13) }

    // MARK: - checking

    /// Refuses a name that is absolute, has an empty, `.`, `..` or `.git` component, a backslash or a control character.
    static func check(_ name: [UInt8], line: PatchLine) throws(GitError) {
        if let problem = problem(name) { throw PatchText.refusal(line, "path '\(shown(name))' \(problem)") }
    }

    /// Why `name` may not be in a patch, or `nil`.
    static func problem(_ name: [UInt8]) -> String? {
        if name.isEmpty { return "is empty" }
        if name.first == UInt8(ascii: "/") { return "is absolute" }
        if name.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "contains a control character" }
        if name.contains(UInt8(ascii: "\\")) { return "contains a backslash" }
        for component in name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if component.isEmpty { return "has an empty component" }
            if component.elementsEqual(".".utf8) || component.elementsEqual("..".utf8) {
                return "has a '\(String(decoding: component, as: UTF8.self))' component"
            }
            if isGitDirectory(component) { return "names .git" }
        }
        return nil
    }

    /// `.git` as file systems may see it: any case, trailing dots and spaces dropped (NTFS), code points
    /// HFS+ ignores left out, or the 8.3 short name `git~1`.
    static func isGitDirectory(_ component: ArraySlice<UInt8>) -> Bool {
        let ignorable: Set<UInt32> = [
            0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF,
        ]
        var folded = String(String.UnicodeScalarView(String(decoding: component, as: UTF8.self).unicodeScalars.filter { !ignorable.contains($0.value) }))
            .lowercased()
        while folded.hasSuffix(".") || folded.hasSuffix(" ") { folded.removeLast() }
        return folded == ".git" || folded == "git~1"
    }

    /// A name for a message: bytes outside printable ASCII and valid UTF-8 shown as `\xNN`.
    static func shown(_ name: [UInt8]) -> String {
        guard let text = String(validating: name, as: UTF8.self), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return name.map { $0 < 0x20 || $0 >= 0x7F ? "\\x" + String($0, radix: 16, uppercase: true).leftPadded : String(UnicodeScalar($0)) }.joined()
        }
        return text
    }

    // MARK: - writing

    /// `name` without its first `count` directories, or `nil` when it has fewer.
    static func strip(_ name: [UInt8], _ count: Int) -> [UInt8]? {
        var rest = name[...]
        for _ in 0..<count {
            guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return nil }
            rest = rest[(slash + 1)...]
        }
        return rest.isEmpty ? nil : Array(rest)
    }

    /// The git header for a plain diff's file: libgit2 needs the `diff --git` line, the same names on
    /// `---`/`+++`, and the mode lines that make a `/dev/null` side a creation or a deletion.
    static func gitHeader(path: [UInt8], created: Bool, deleted: Bool) -> [UInt8] {
        let old = quoted(Array("a/".utf8) + path)
        let new = quoted(Array("b/".utf8) + path)
        var header = Array("diff --git ".utf8) + old + [UInt8(ascii: " ")] + new + [UInt8(ascii: "\n")]
        if created { header += Array("new file mode 100644\n".utf8) }
        if deleted { header += Array("deleted file mode 100644\n".utf8) }
        header += Array("--- ".utf8) + (created ? Array("/dev/null".utf8) : old) + [UInt8(ascii: "\n")]
        header += Array("+++ ".utf8) + (deleted ? Array("/dev/null".utf8) : new) + [UInt8(ascii: "\n")]
        return header
    }

    /// libgit2 ends an unquoted name at whitespace: a name with a space (or a quote) is quoted.
    private static func quoted(_ name: [UInt8]) -> [UInt8] {
        guard name.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\"") }) else { return name }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in name {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}

extension String {
    fileprivate var leftPadded: String { count < 2 ? "0" + self : self }
}
