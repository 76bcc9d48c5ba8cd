import Foundation

/// Phase timings for diagnosing speed: with `MINIC_TRACE=1`, each traced phase
/// prints `minic trace: <phase> <ms>` to stderr. Off, it costs one branch.
public enum Trace {
    public static let enabled = ProcessInfo.processInfo.environment["MINIC_TRACE"] == "1"
    private static let start = DispatchTime.now().uptimeNanoseconds

    /// Runs `body`, printing how long it took when tracing is on.
    @inline(__always) @discardableResult
    public static func span<T, E: Error>(_ name: @autoclosure () -> String, _ body: () throws(E) -> T) throws(E) -> T {
        guard enabled else { return try body() }
        let origin = start
        let begin = DispatchTime.now().uptimeNanoseconds
        defer {
            let end = DispatchTime.now().uptimeNanoseconds
            let line = String(
                format: "minic trace: %@ %.2f ms (at %.2f ms)\n", name(), Double(Int64(end) - Int64(begin)) / 1e6, Double(Int64(end) - Int64(origin)) / 1e6)
            FileHandle.standardError.write(Data(line.utf8))
        }
        return try body()
    }
}
