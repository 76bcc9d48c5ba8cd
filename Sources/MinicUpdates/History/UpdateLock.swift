import Foundation
import MinicCore

/// The home's update lock, `state/update.lock`: held (`flock`, exclusive) by a merge
/// or rollback from just before it writes its ``UpdateIntent`` until it removes it.
///
/// The kernel drops the lock when its holder dies, SIGKILL included, so an intent
/// whose lock can be taken belongs to a process that is gone and is safe to finish;
/// one whose lock is held belongs to a live operation and is left to it.
final class UpdateLock {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Takes the lock, waiting for a live holder to finish.
    /// - Parameter file: the lock file in `state/`; `revert.lock` serialises revert proposals (``UpdateEngine/proposeRevert(merge:reason:)``).
    static func acquire(home: Home, file: String = "update.lock") throws(MinicError) -> UpdateLock {
        guard let lock = try take(home: home, wait: true, file: file) else { throw .internal("cannot lock \(home.stateDirectory)/\(file)") }
        return lock
    }

    /// Takes the lock if no live process holds it; `nil` when one does.
    static func acquireIfFree(home: Home) throws(MinicError) -> UpdateLock? { try take(home: home, wait: false) }

    private static func take(home: Home, wait: Bool, file: String = "update.lock") throws(MinicError) -> UpdateLock? {
        // Opened close-on-exec (StateFiles), so hooks never inherit it and keep it after minic dies.
        let lock = UpdateLock(descriptor: try StateFiles.openForAppend(home.stateDirectory + "/" + file))
        while flock(lock.descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return nil }
            throw .internal("cannot lock \(home.stateDirectory)/\(file): \(String(cString: strerror(errno)))")
        }
        return lock
    }

    /// Closing the descriptor releases the lock (flock(2)).
    deinit { close(descriptor) }
}
