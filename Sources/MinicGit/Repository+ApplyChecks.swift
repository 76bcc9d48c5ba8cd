import CGit2

extension Repository {
    /// Refuses what `git apply` refuses but libgit2's apply would let through, so that a patch
    /// minic applies is one git applies too, with the same result:
    /// - a created file (or a rename's or copy's target) that already exists;
    /// - a hunk that starts at line 0 or 1 whose old lines are not the start of the file, or one with no
    ///   context after its changes whose old lines are not the end of the file (git's `match_beginning`
    ///   and `match_end`; libgit2 looks for them anywhere near the stated line);
    /// - a deletion whose hunks do not remove the whole file.
    /// - Throws: ``GitError`` with code ``GitError/Code/applyFailed`` naming the file.
    func checkAsGitApplies(_ diff: Diff, base: Tree) throws(GitError) {
        for number in 0..<git_diff_num_deltas(diff.pointer) {
            guard let delta = git_diff_get_delta(diff.pointer, number)?.pointee else { continue }
            let oldPath = delta.old_file.path.map { String(cString: $0) } ?? ""
            let newPath = delta.new_file.path.map { String(cString: $0) } ?? oldPath
            if [GIT_DELTA_ADDED, GIT_DELTA_RENAMED, GIT_DELTA_COPIED].contains(delta.status), try base.entry(atPath: newPath) != nil {
                throw GitError(code: .applyFailed, message: "\(newPath): already exists", operation: "git apply's checks")
            }
            // A file does not become a symlink or a submodule (nor back) by a mode line: git apply refuses that
            // ("new mode does not match old mode"); a change of kind is a deletion and a creation.
            let oldMode = UInt32(delta.old_file.mode)
            let newMode = UInt32(delta.new_file.mode)
            let existing = delta.status == GIT_DELTA_ADDED ? nil : try base.entry(atPath: oldPath)
            let kindChanges =
                (oldMode != 0 && newMode != 0 && oldMode & 0o170000 != newMode & 0o170000)
                || (newMode != 0 && existing.map { $0.mode.rawValue & 0o170000 != newMode & 0o170000 } == true)
            if delta.status != GIT_DELTA_ADDED, delta.status != GIT_DELTA_DELETED, kindChanges {
                throw GitError(
                    code: .applyFailed, message: "\(newPath): new mode (\(String(newMode, radix: 8))) does not match old mode (\(String(oldMode, radix: 8)))",
                    operation: "git apply's checks")
            }
            // A missing file is libgit2's to report; a new file's hunks have nothing to match.
            guard delta.status != GIT_DELTA_ADDED, let entry = try base.entry(atPath: oldPath), entry.mode == .blob || entry.mode == .executable
            else { continue }
            let lines = Self.lines(try blobData(entry.id))
            let preimages = try hunkPreimages(diff, number)
            for hunk in preimages {
                let fits: Bool
                switch (hunk.atStart, hunk.atEnd) {
                case (true, true): fits = hunk.lines.elementsEqual(lines)
                case (true, false): fits = lines.starts(with: hunk.lines)
                case (false, true): fits = lines.count >= hunk.lines.count && lines.suffix(hunk.lines.count).elementsEqual(hunk.lines)
                case (false, false): fits = true
                }
                guard fits else {
                    let place = hunk.atStart && hunk.atEnd ? "the whole file" : hunk.atStart ? "the start of the file" : "the end of the file"
                    throw GitError(
                        code: .applyFailed, message: "\(oldPath): hunk \(hunk.header) does not match \(place), as git apply requires of it",
                        operation: "git apply's checks")
                }
            }
            if delta.status == GIT_DELTA_DELETED, !preimages.flatMap(\.lines).elementsEqual(lines) {
                throw GitError(code: .applyFailed, message: "\(oldPath): the deletion does not remove the whole file", operation: "git apply's checks")
            }
        }
    }

    /// For each hunk of delta `number`: its old lines (context and deletions, line ends included), where git
    /// anchors it, and its header.
    private func hunkPreimages(_ diff: Diff, _ number: Int) throws(GitError) -> [(lines: [[UInt8]], atStart: Bool, atEnd: Bool, header: String)] {
        var patch: OpaquePointer?
        try check(git_patch_from_diff(&patch, diff.pointer, number), "git_patch_from_diff")
        defer { git_patch_free(patch) }
        var hunks: [(lines: [[UInt8]], atStart: Bool, atEnd: Bool, header: String)] = []
        for hunkIndex in 0..<git_patch_num_hunks(patch) {
            var hunk: UnsafePointer<git_diff_hunk>?
            var count = 0
            try check(git_patch_get_hunk(&hunk, &count, patch, hunkIndex), "git_patch_get_hunk")
            guard let hunk = hunk?.pointee else { continue }
            var old: [[UInt8]] = []
            var trailing = 0
            for lineIndex in 0..<count {
                var raw: UnsafePointer<git_diff_line>?
                try check(git_patch_get_line_in_hunk(&raw, patch, hunkIndex, lineIndex), "git_patch_get_line_in_hunk")
                guard let line = raw?.pointee else { continue }
                let content = Array(UnsafeRawBufferPointer(start: line.content, count: line.content_len))
                switch UInt8(bitPattern: line.origin) {
                case UInt8(ascii: " "):
                    old.append(content)
                    trailing += 1
                case UInt8(ascii: "-"):
                    old.append(content)
                    trailing = 0
                case UInt8(ascii: "+"):
                    trailing = 0
                case UInt8(ascii: "="), UInt8(ascii: "<"):
                    // "\ No newline at end of file" after an old line: that line ends the file without one.
                    if let last = old.indices.last, old[last].last == UInt8(ascii: "\n") { old[last].removeLast() }
                default:
                    break  // the marker after an added line
                }
            }
            let header = withUnsafeBytes(of: hunk.header) { bytes in
                String(decoding: bytes.prefix(hunk.header_len).prefix { $0 != 0 && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            }
            hunks.append((old, hunk.old_start <= 1, trailing == 0, header))
        }
        return hunks
    }

    /// A file's lines, each with its `\n` (the last one may have none).
    private static func lines(_ data: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        while start < data.count {
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.count
            lines.append(Array(data[start..<end]))
            start = end
        }
        return lines
    }
}
