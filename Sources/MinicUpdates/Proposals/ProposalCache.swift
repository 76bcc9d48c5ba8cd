import Foundation
import MinicCore
import MinicGit

/// What `update list` shows of one proposal, cached in `state/proposal-cache.tsv`.
///
/// Keyed by the proposal's commit (immutable) and the rules in force (the blob ids
/// of `protected.list` and `config.json` at head), so an entry is never stale in
/// what it depends on; a missing or unreadable cache only costs time.
struct ProposalCacheEntry {
    let head: OID
    let rulesKey: String
    let counts: [PathClass: Int]
    let date: Date
    let taskID: String?
    let author: String
    let title: String
}

struct ProposalCache {
    static let version = "minic-proposal-cache 1"
    let path: String
    private(set) var entries: [OID: ProposalCacheEntry] = [:]
    private(set) var dirty = false

    /// Reads the cache; a missing or malformed file gives an empty cache.
    init(path: String) {
        self.path = path
        // A symlink or unreadable file is no cache (it only costs time): StateFiles never follows one.
        guard let data = (try? StateFiles.read(path)) ?? nil else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == Substring(ProposalCache.version) else { return }
        for line in lines.dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 9, let head = OID(hex: String(fields[0])), let protected = Int(fields[2]), let auto = Int(fields[3]),
                let review = Int(fields[4]), let seconds = Double(fields[5])
            else { continue }
            entries[head] = ProposalCacheEntry(
                head: head, rulesKey: String(fields[1]), counts: [.protected: protected, .auto: auto, .review: review],
                date: Date(timeIntervalSince1970: seconds), taskID: fields[6].isEmpty ? nil : String(fields[6]), author: String(fields[7]),
                title: String(fields[8]))
        }
    }

    func lookup(_ head: OID, rulesKey: String) -> ProposalCacheEntry? {
        guard let entry = entries[head], entry.rulesKey == rulesKey else { return nil }
        return entry
    }

    mutating func store(_ entry: ProposalCacheEntry) {
        entries[entry.head] = entry
        dirty = true
    }

    /// Writes the entries for `keep` (the proposals that still exist) if anything changed,
    /// through a temporary file and a rename, so a reader never sees half a cache.
    func save(keeping keep: Set<OID>) {
        guard dirty || entries.keys.contains(where: { !keep.contains($0) }) else { return }
        var text = ProposalCache.version + "\n"
        for entry in entries.values where keep.contains(entry.head) {
            let clean = { (value: String) in value.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
            text +=
                [
                    entry.head.hex, entry.rulesKey, "\(entry.counts[.protected] ?? 0)", "\(entry.counts[.auto] ?? 0)", "\(entry.counts[.review] ?? 0)",
                    "\(entry.date.timeIntervalSince1970)", clean(entry.taskID ?? ""), clean(entry.author), clean(entry.title),
                ].joined(separator: "\t") + "\n"
        }
        // The cache only saves time: a state directory that refuses it leaves listing correct, just slower.
        try? StateFiles.write(path, Array(text.utf8))
    }
}
