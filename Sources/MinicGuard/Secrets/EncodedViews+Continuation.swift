import CLibcShims
import Foundation

extension EncodedViews {
    /// Lines continued with a backslash at their end, joined as the shell, Python and C
    /// join them (the backslash and the newline dropped): `"ghp_abc\` + newline + `def"`,
    /// `TOKEN=ghp_abc\` + newline + `def`. One piece per run of continued lines.
    func continued(_ bytes: UnsafeBufferPointer<UInt8>) -> [Piece] {
        guard let base = bytes.baseAddress, minic_memmem(base, bytes.count, "\\\n", 2) != nil || minic_memmem(base, bytes.count, "\\\r\n", 3) != nil
        else { return [] }
        var pieces: [Piece] = []
        var lineStart = 0
        var runStart: Int?
        var text: [UInt8] = []
        var index = 0
        while index <= bytes.count {
            guard index == bytes.count || bytes[index] == 0x0A else {
                index += 1
                continue
            }
            var contentEnd = index
            if contentEnd > lineStart && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let continues = index < bytes.count && contentEnd > lineStart && bytes[contentEnd - 1] == 0x5C
            if continues {
                if runStart == nil { runStart = lineStart }
                text += bytes[lineStart..<(contentEnd - 1)]
            } else if let start = runStart {
                text += bytes[lineStart..<contentEnd]
                pieces.append(Piece(text: String(decoding: text, as: UTF8.self), range: start..<contentEnd, how: "split by line continuation"))
                runStart = nil
                text.removeAll(keepingCapacity: true)
            }
            lineStart = index + 1
            index += 1
        }
        return pieces
    }

    /// Runs with percent-encoding (`ghp%5F...`, `%67%68%70...`), decoded up to three
    /// times so that double encoding (`%2567` → `%67` → `g`) is undone too.
    func percentDecoded(_ bytes: UnsafeBufferPointer<UInt8>) -> [Piece] {
        guard let base = bytes.baseAddress else { return [] }
        var pieces: [Piece] = []
        var index = 0
        var lastEnd = 0
        while index + 2 < bytes.count {
            // Straight to the next `%`.
            guard let percent = memchr(base + index, 0x25, bytes.count - index) else { break }
            index = base.distance(to: percent.assumingMemoryBound(to: UInt8.self))
            guard index + 2 < bytes.count, Self.isHex(bytes[index + 1]), Self.isHex(bytes[index + 2]) else {
                index += 1
                continue
            }
            var start = index
            while start > lastEnd && !Self.isRunBoundary(bytes[start - 1]) { start -= 1 }
            var end = index
            while end < bytes.count && !Self.isRunBoundary(bytes[end]) { end += 1 }
            var text = Array(bytes[start..<end])
            for _ in 0..<3 {
                let next = Self.percentDecode(text)
                if next == text { break }
                text = next
            }
            if text.count >= 8 {
                pieces.append(Piece(text: String(decoding: text, as: UTF8.self), range: start..<end, how: "percent-encoded"))
            }
            lastEnd = end
            index = end
        }
        return pieces
    }

    static func percentDecode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) {
                out.append(nibble(bytes[index + 1]) << 4 | nibble(bytes[index + 2]))
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    static func isHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    /// Where a percent-encoded run ends: blanks, quotes and angle brackets.
    static func isRunBoundary(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, 0x22, 0x27, 0x60, 0x3C, 0x3E, 0x00: return true
        default: return false
        }
    }
}
