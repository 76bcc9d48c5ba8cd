import CGit2
import Foundation

/// A remote of a repository (`git_remote`), freed when the last reference goes.
///
/// Keeps its repository alive. Fetch and push are network I/O: call them off Swift's
/// cooperative pool. Errors never carry the URL's password (``RemoteURL/scrub(_:url:)``).
public final class Remote {
    let pointer: OpaquePointer
    /// The repository the remote belongs to.
    public let repository: Repository

    init(pointer: OpaquePointer, repository: Repository) {
        self.pointer = pointer
        self.repository = repository
    }

    deinit { git_remote_free(pointer) }

    /// The URL as configured (it may hold a password: show ``displayURL`` instead).
    var url: String { git_remote_url(pointer).map { String(cString: $0) } ?? "" }

    /// The URL without its password, for logs and messages.
    public var displayURL: String { RemoteURL.redacted(url) }

    /// Fetches `refspecs` (e.g. `+refs/heads/main:refs/remotes/origin/main`) and updates the
    /// references they name locally; no tags.
    /// - Throws: ``GitError`` when the remote cannot be reached or read.
    public func fetch(refspecs: [String], reflogMessage: String) throws(GitError) {
        let context = TransferContext()
        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init")
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        let result = withExtendedLifetime(context) {
            context.install(&options.callbacks)
            return StringArray.with(refspecs) { array in git_remote_fetch(pointer, &array, &options, reflogMessage) }
        }
        do { try check(result, "git_remote_fetch") } catch { throw error.scrubbed(url: url) }
    }

    /// Pushes `refspecs` (never forced unless a refspec says `+`).
    /// - Returns: the references the remote refused, each with its reason (e.g. a non-fast-forward).
    /// - Throws: ``GitError`` when the remote cannot be reached or the push fails as a whole.
    public func push(refspecs: [String]) throws(GitError) -> [(reference: String, reason: String)] {
        if let path = localPath {
            do { return try pushLocally(to: path, refspecs: refspecs) } catch { throw error.scrubbed(url: url) }
        }
        let context = TransferContext()
        var options = git_push_options()
        try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "git_push_options_init")
        let result = withExtendedLifetime(context) {
            context.install(&options.callbacks)
            return StringArray.with(refspecs) { array in git_remote_push(pointer, &array, &options) }
        }
        do { try check(result, "git_remote_push") } catch { throw error.scrubbed(url: url) }
        return context.rejected.map { ($0.0, RemoteURL.scrub($0.1, url: url)) }
    }
}

extension Repository {
    /// The remote called `name`, or `nil` when the repository has none by that name.
    public func remote(named name: String) throws(GitError) -> Remote? {
        var remote: OpaquePointer?
        let result = git_remote_lookup(&remote, pointer, name)
        if result == GIT_ENOTFOUND.rawValue || result == GIT_EINVALIDSPEC.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_remote_lookup(\(name))")
        return Remote(pointer: try produced(remote, "git_remote_lookup"), repository: self)
    }

    /// How many commits `local` has that `upstream` lacks, and the other way round (`git_graph_ahead_behind`).
    public func aheadBehind(local: OID, upstream: OID) throws(GitError) -> (ahead: Int, behind: Int) {
        var ahead = 0
        var behind = 0
        var one = local.raw
        var two = upstream.raw
        try check(git_graph_ahead_behind(&ahead, &behind, pointer, &one, &two), "git_graph_ahead_behind")
        return (ahead, behind)
    }
}

/// What the C callbacks of one fetch, push or clone share with Swift, through `Unmanaged`.
final class TransferContext {
    var credentialAttempts = 0
    var rejected: [(String, String)] = []

    /// Points `callbacks` at this context. The caller keeps the context alive for the transfer.
    func install(_ callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, _, username, allowed, payload in
            guard let payload, let out else { return 1 }
            let context = Unmanaged<TransferContext>.fromOpaque(payload).takeUnretainedValue()
            context.credentialAttempts += 1
            // ssh: the keys of the running ssh-agent, asked once (a refused key is not retried forever).
            guard context.credentialAttempts == 1, allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else { return 1 }
            if let username { return git_credential_ssh_key_from_agent(out, username) }
            return git_credential_ssh_key_from_agent(out, "git")
        }
        callbacks.push_update_reference = { reference, status, payload in
            guard let payload, let reference, let status else { return 0 }
            let context = Unmanaged<TransferContext>.fromOpaque(payload).takeUnretainedValue()
            context.rejected.append((String(cString: reference), String(cString: status)))
            return 0
        }
    }
}

/// A `git_strarray` lent to a closure, its strings freed afterwards.
enum StringArray {
    static func with<T>(_ strings: [String], _ body: (inout git_strarray) -> T) -> T {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return body(&array)
        }
    }
}
