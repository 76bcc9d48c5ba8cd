import Foundation
import MinicCore

extension PythonAnalyzer {
    /// A helper started ahead of its request: python3 has started and loaded (imported, compiled) the helper, about
    /// 30 ms of a run that otherwise waits on it, and waits for its standard input to close (`--wait`). It serves one
    /// request, the way a helper started for that request would: same program, arguments, environment and time limit,
    /// a directory of its own; nothing it read or found is kept for another analysis.
    final class Prepared {
        /// The helper's own directory (0700), where its request is written and its output read.
        let directory: String
        let process: StartedProcess

        init(python: String) throws(MinicError) {
            directory = try PythonAnalyzer.makeDirectory()
            do {
                process = try ProcessRunner.start(
                    executable: python, arguments: PythonAnalyzer.arguments(directory: directory) + ["--wait"], environment: PythonAnalyzer.environment,
                    directory: directory)
            } catch {
                rmdir(directory)
                throw error
            }
        }

        deinit {
            // After this, `process` goes: its input is closed and, if it still runs, it is killed and reaped.
            try? FileManager.default.removeItem(atPath: directory)  // a leftover in the temporary directory is not worth failing an analysis for
        }
    }

    /// The helpers started ahead, per python3 path. Left waiting when minic exits, each sees its input close with no
    /// request, removes its empty directory and exits.
    private static let prepared = Locked<[String: [Prepared]]>([:])
    /// At most this many wait per python3 (an answer's review and its checks' analysis come one right after the other).
    static let maxPrepared = 2

    /// Starts helpers ahead of the next `count` analyses (at most ``maxPrepared`` wait at a time), so that those
    /// analyses find python3 started and the helper loaded. Call it when analyses are coming but not yet due (a task
    /// does, while the model answers). Blocks only to spawn them; one that cannot be started is left out (the
    /// analysis then starts its own, as without this).
    public func prepare(_ count: Int = 1) {
        guard let python else { return }
        let wanted = min(count, Self.maxPrepared)
        let missing = Self.prepared.withLock { max(0, wanted - ($0[python]?.count ?? 0)) }
        var started: [Prepared] = []
        for _ in 0..<missing {
            do throws(MinicError) { started.append(try Prepared(python: python)) } catch { break }
        }
        // Others may have prepared meanwhile: the extras are stopped, outside the lock.
        var extra = Self.prepared.withLock { waiting -> [Prepared] in
            var list = waiting[python, default: []] + started
            let dropped = list.count > Self.maxPrepared ? Array(list[Self.maxPrepared...]) : []
            list.removeLast(dropped.count)
            waiting[python] = list
            return dropped
        }
        extra.removeAll()
    }

    /// A prepared helper for `python` still waiting, if any; ones that exited while they waited are dropped.
    static func takePrepared(python: String) -> Prepared? {
        let (found, exited) = prepared.withLock { waiting -> (Prepared?, [Prepared]) in
            var exited: [Prepared] = []
            while let first = waiting[python]?.first {
                waiting[python]?.removeFirst()
                if !first.process.hasExited { return (first, exited) }
                exited.append(first)
            }
            return (nil, exited)
        }
        // The ones that exited are reaped here, outside the lock.
        withExtendedLifetime(exited) {}
        return found
    }

    /// The processes of the prepared helpers waiting for `python` (for tests).
    static func preparedPIDs(python: String) -> [pid_t] { prepared.withLock { $0[python]?.map(\.process.pid) ?? [] } }
}
