/// The rules' keywords, found in one pass over a text: each position's first two bytes
/// pick the few keywords that could start there. With some fifty keywords, one
/// `memmem` pass each cost more than the rules they gate.
struct KeywordSet {
    let keywords: [[UInt8]]
    /// For each two-byte start (first byte << 8 | second), whether some keyword begins so.
    private let starts: [Bool]
    /// For each such start, the keywords that begin with it.
    private let candidates: [[Int]]

    /// - Parameter keywords: lower-case, at least two bytes each.
    init(_ keywords: [String]) {
        self.keywords = keywords.map { Array($0.utf8) }
        var starts = [Bool](repeating: false, count: 1 << 16)
        var candidates = [[Int]](repeating: [], count: 1 << 16)
        for (index, keyword) in self.keywords.enumerated() {
            precondition(keyword.count >= 2, "secret rule keyword '\(keywords[index])' is shorter than two bytes")
            let key = Int(keyword[0]) << 8 | Int(keyword[1])
            starts[key] = true
            candidates[key].append(index)
        }
        self.starts = starts
        self.candidates = candidates
    }

    /// Which keywords occur in `text` (already lower-cased), by index.
    func present(in text: [UInt8]) -> [Bool] {
        var found = [Bool](repeating: false, count: keywords.count)
        var missing = keywords.count
        guard text.count >= 2 else { return found }
        text.withUnsafeBufferPointer { bytes in
            starts.withUnsafeBufferPointer { starts in
                var index = 0
                let last = bytes.count - 1
                while index < last && missing > 0 {
                    let key = Int(bytes[index]) << 8 | Int(bytes[index + 1])
                    if starts[key] {
                        for candidate in candidates[key] where !found[candidate] {
                            let keyword = keywords[candidate]
                            if index + keyword.count <= bytes.count && keyword.indices.allSatisfy({ bytes[index + $0] == keyword[$0] }) {
                                found[candidate] = true
                                missing -= 1
                            }
                        }
                    }
                    index += 1
                }
            }
        }
        return found
    }
}
