import Foundation

extension EncodedViews {
    /// The narrowest wrapping width read as wrapped base64 (`base64` wraps at 76, PEM and
    /// `openssl base64` at 64).
    static let minWrapWidth = 40

    /// Base64 wrapped over several lines (`printf %s "$KEY" | base64` wraps at 76 columns
    /// once its input is over 57 bytes; PEM at 64), joined and decoded: a run of lines of the
    /// base64 alphabet alone (blanks around them allowed), each as wide as the first — a
    /// multiple of 4, at least ``minWrapWidth``, without padding — but the last, which may be
    /// narrower. Starts only from `runs`, the single-line base64 runs already found, so text
    /// without them costs nothing more.
    func wrappedBase64(_ bytes: UnsafeBufferPointer<UInt8>, runs: [Range<Int>]) -> [Piece] {
        var pieces: [Piece] = []
        var coveredUntil = 0
        for run in runs where run.lowerBound >= coveredUntil {
            let width = run.count
            guard width >= Self.minWrapWidth, width % 4 == 0, bytes[run.upperBound - 1] != UInt8(ascii: "="),
                Self.onlyBlanks(bytes, before: run.lowerBound), var next = Self.nextLine(bytes, after: run.upperBound)
            else { continue }
            var text = Array(bytes[run])
            var end = run.upperBound
            var lines = 1
            while let line = Self.base64Line(bytes, from: next), line.count <= width {
                text += bytes[line]
                end = line.upperBound
                lines += 1
                guard line.count == width, bytes[line.upperBound - 1] != UInt8(ascii: "="), let after = Self.nextLine(bytes, after: line.upperBound)
                else { break }
                next = after
            }
            guard lines > 1 else { continue }
            coveredUntil = end
            guard let decoded = Self.decodeBase64(text) else { continue }
            pieces.append(Piece(text: decoded, range: run.lowerBound..<end, how: "base64-encoded, wrapped"))
        }
        return pieces
    }

    /// `text` (standard or URL-safe alphabet, padding optional) decoded, if it is printable text.
    static func decodeBase64(_ text: [UInt8]) -> String? {
        var normalised = text.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
        while normalised.count % 4 != 0 { normalised.append(UInt8(ascii: "=")) }
        guard let data = Data(base64Encoded: Data(normalised)) else { return nil }
        return printable(data)
    }

    static func isBase64Byte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="): return true
        default: return false
        }
    }

    /// Whether only blanks precede `offset` on its line.
    static func onlyBlanks(_ bytes: UnsafeBufferPointer<UInt8>, before offset: Int) -> Bool {
        var index = offset - 1
        while index >= 0 && bytes[index] != 0x0A {
            guard bytes[index] == 0x20 || bytes[index] == 0x09 else { return false }
            index -= 1
        }
        return true
    }

    /// The start of the next line when only blanks (and a `\r`) follow `offset` on its line.
    static func nextLine(_ bytes: UnsafeBufferPointer<UInt8>, after offset: Int) -> Int? {
        var index = offset
        while index < bytes.count && (bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D) { index += 1 }
        return index < bytes.count && bytes[index] == 0x0A ? index + 1 : nil
    }

    /// The base64 content of the line starting at `start` when the line holds nothing else but blanks.
    static func base64Line(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Range<Int>? {
        var from = start
        while from < bytes.count && (bytes[from] == 0x20 || bytes[from] == 0x09) { from += 1 }
        var to = from
        while to < bytes.count && isBase64Byte(bytes[to]) { to += 1 }
        guard to > from else { return nil }
        var rest = to
        while rest < bytes.count && (bytes[rest] == 0x20 || bytes[rest] == 0x09 || bytes[rest] == 0x0D) { rest += 1 }
        return rest == bytes.count || bytes[rest] == 0x0A ? from..<to : nil
    }
}
