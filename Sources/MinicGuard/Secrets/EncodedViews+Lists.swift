import CLibcShims

extension EncodedViews {
    /// The longest list literal read around a `join`.
    static let maxListBytes = 8192

    /// String literals of a list handed to a `join`, joined: the list after it
    /// (`"".join(["ghp_", "abc"])`, Go's `strings.Join([]string{"a", "b"}, "")`) or
    /// before it (`["sk-ant-", "..."].join("")`). Only the list itself is read, so
    /// ordinary calls with several string arguments are not glued together.
    func listJoined(_ bytes: UnsafeBufferPointer<UInt8>) -> [Piece] {
        guard let base = bytes.baseAddress else { return [] }
        var pieces: [Piece] = []
        var from = 0
        while from < bytes.count, let found = minic_memmem(base + from, bytes.count - from, "oin", 3) {
            let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            from = at + 3
            guard at >= 1, bytes[at - 1] == UInt8(ascii: "j") || bytes[at - 1] == UInt8(ascii: "J") else { continue }
            // After: `join(` then blanks, then a list (Go's `[]string{` too).
            var index = at + 3
            if index < bytes.count && bytes[index] == UInt8(ascii: "(") {
                index += 1
                while index < bytes.count && Self.isBlank(bytes[index]) { index += 1 }
                if index + 1 < bytes.count && bytes[index] == UInt8(ascii: "[") && bytes[index + 1] == UInt8(ascii: "]") {
                    while index < bytes.count && bytes[index] != UInt8(ascii: "{") && bytes[index] != 0x0A { index += 1 }
                }
                if index < bytes.count, let close = Self.matching(bytes, open: index) {
                    pieces += concatenated(bytes, lists: true, in: index..<close + 1)
                }
            }
            // Before: a list closed right before `.join`.
            var before = at - 2
            if before >= 0 && bytes[before] == UInt8(ascii: ".") {
                before -= 1
                while before >= 0 && Self.isBlank(bytes[before]) { before -= 1 }
                if before >= 0, let open = Self.matchingBackwards(bytes, close: before) {
                    pieces += concatenated(bytes, lists: true, in: open..<before + 1)
                }
            }
        }
        return pieces
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// The index of the bracket closing the one at `open` (`[`, `(` or `{`), within ``maxListBytes``; quotes are not read.
    static func matching(_ bytes: UnsafeBufferPointer<UInt8>, open: Int) -> Int? {
        let pairs: [UInt8: UInt8] = [0x5B: 0x5D, 0x28: 0x29, 0x7B: 0x7D]
        guard let close = pairs[bytes[open]] else { return nil }
        var depth = 0
        var index = open
        while index < min(bytes.count, open + maxListBytes) {
            if bytes[index] == bytes[open] { depth += 1 } else if bytes[index] == close { depth -= 1 }
            if depth == 0 { return index }
            index += 1
        }
        return nil
    }

    /// The index of the bracket opening the one at `close` (`]`, `)` or `}`), within ``maxListBytes``.
    static func matchingBackwards(_ bytes: UnsafeBufferPointer<UInt8>, close: Int) -> Int? {
        let pairs: [UInt8: UInt8] = [0x5D: 0x5B, 0x29: 0x28, 0x7D: 0x7B]
        guard let open = pairs[bytes[close]] else { return nil }
        var depth = 0
        var index = close
        while index >= max(0, close - maxListBytes) {
            if bytes[index] == bytes[close] { depth += 1 } else if bytes[index] == open { depth -= 1 }
            if depth == 0 { return index }
            index -= 1
        }
        return nil
    }
}
