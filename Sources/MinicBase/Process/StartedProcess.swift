import Foundation

/// A program started ahead of its work by ``ProcessRunner/start(executable:arguments:environment:directory:)``:
/// its standard input is a pipe minic holds open, so that it can start up and then wait, reading it, for the
/// work to be handed over. ``finish(timeout:)`` closes the pipe (the program reads end-of-file) and supervises
/// the rest as ``ProcessRunner/run(executable:arguments:environment:directory:timeout:)`` does.
///
/// The pipe's write end and the ``ChildProcess`` are owned here: `deinit` closes the pipe, and the child's
/// `deinit` kills and reaps a process nobody finished.
public final class StartedProcess {
    private let child: ChildProcess
    private var input: Int32

    init(child: ChildProcess, input: Int32) {
        self.child = child
        self.input = input
    }

    deinit { if input >= 0 { close(input) } }

    public var pid: pid_t { child.pid }

    /// Whether it has exited already (while waiting for its work: it will not do it).
    public var hasExited: Bool { child.hasExited }

    /// Closes its standard input and waits for it to exit, reading its output, the deadline counted from now:
    /// the time it spent waiting for its work is not its work's.
    public func finish(timeout: Double) -> ProcessResult {
        close(input)
        input = -1
        return ProcessRunner.collect(child, timeout: timeout, from: Date())
    }
}
