import ArgumentParser
import Foundation
import MinicCore
import MinicGuard

struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox", abstract: "Run commands in the bubblewrap sandbox.", subcommands: [SandboxRun.self])
}

struct SandboxRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one command in the sandbox (bubblewrap: no network, read-only system, one writable work directory, limits).",
        discussion: """
            The work directory is mounted at /work (default: a fresh temporary directory, removed afterwards). Limits come from \
            the home's sandbox.* config. Exit status: the command's own; 124 wall-clock timeout; 123 output limit; 137 memory \
            limit (cgroup); 152 CPU time (SIGXCPU); 153 file size (SIGXFSZ); 125 the sandbox is unavailable (nothing ran); \
            126 refused by sandbox.allow_commands/deny_commands; 2 usage, a config that does not load, or a refused work \
            directory (/, system directories, a user's home, the minic home or one holding it, and the home's .git, hooks/ \
            and state/). Output is shown as it arrives, line by line, with secrets redacted (also in --json and the log).
            """)

    @Option(help: ArgumentHelp("The one writable directory, seen as /work inside.", valueName: "dir")) var workdir: String?
    @Option(help: ArgumentHelp("Wall-clock limit in seconds (default: sandbox.timeout_seconds).", valueName: "seconds")) var timeout: Double?
    @Option(help: ArgumentHelp("Memory limit: MiB, or a size with K, M or G (default: sandbox.memory_mb).", valueName: "size")) var memory: String?
    @Flag(help: "Share the host's network (off by default).") var net = false
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption
    @Argument(parsing: .remaining, help: "The command and its arguments, after --.") var command: [String] = []

    func validate() throws {
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be greater than 0") }
        if let memory, SandboxRun.megabytes(memory) == nil { throw ValidationError("--memory \(memory): expected MiB or a size such as 256M or 1G") }
        if command.isEmpty || command == ["--"] { throw ValidationError("no command given: minic sandbox run [options] -- CMD ...") }
    }

    func run() throws {
        let argv = command.first == "--" ? Array(command.dropFirst()) : command
        // The sandbox runs without a home too (defaults); with one, its config and its protected paths apply,
        // and a config that does not load stops here (exit 2) rather than running with defaults.
        let (home, fullConfig): (Home?, MinicConfig)
        do {
            (home, fullConfig) = try homeOptions.guardrailConfig()
        } catch {
            Output.error(error)
            throw ExitCode(2)
        }
        let config = fullConfig.sandbox
        let security = home?.activity.logger(.security)
        var request = SandboxRequest(command: argv, workdir: workdir, timeoutSeconds: timeout, network: net)
        request.memoryMB = memory.flatMap(SandboxRun.megabytes)
        // The home's .git, hooks/ and state/ are guarded whether or not a home is there yet.
        let sandbox = Sandbox(config: config, homePath: home?.path ?? homeOptions.path)
        // Output is shown as it arrives, line by line once each line is whole and scanned (a secret split over
        // two chunks is redacted all the same); --json shows the whole, redacted, at the end.
        let redactors = [StreamingRedactor(), StreamingRedactor()]
        let streaming = !output.json
        let outcome = Result { () throws(MinicError) in
            try sandbox.run(request) { stream, bytes in
                if streaming { SandboxRun.show(stream, redactors[stream == 1 ? 0 : 1].feed(bytes)) }
            }
        }
        if streaming {
            SandboxRun.show(1, redactors[0].finish())
            SandboxRun.show(2, redactors[1].finish())
        }
        let result: SandboxResult
        switch outcome {
        case .success(let value):
            result = value
        case .failure(let error):
            Output.error(error)
            switch error.kind {
            case .refused:
                security?.warning("sandbox refused: \(error.message)")
                throw ExitCode(Sandbox.exitRefused)
            case .internal:
                security?.error("\(error.message)")
                throw ExitCode(Sandbox.exitUnavailable)
            case .badInput:
                throw ExitCode(2)
            }
        }
        if !result.secretsRedacted.isEmpty {
            let rules = Array(Set(result.secretsRedacted)).sorted().joined(separator: ", ")
            security?.warning("sandbox: redacted \(result.secretsRedacted.count) secret(s) in the output of \(argv.first ?? ""): \(rules)")
            if !output.json { Output.warning("sandbox: \(result.secretsRedacted.count) secret(s) redacted from the output (\(rules))") }
        }
        if let limit = result.limit {
            security?.warning("sandbox: \(argv.first ?? "") stopped by the \(limit.rawValue) limit after \(Int(result.durationMS)) ms")
            if !output.json { Output.warning("sandbox: stopped by the \(limit.rawValue) limit") }
        }
        if output.json { try Output.json(result) }
        throw ExitCode(result.exitCode)
    }

    /// Output of model-made code reaches a terminal only neutralised.
    static func show(_ stream: Int32, _ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let shown = isatty(stream) == 1 ? Data(TerminalText.neutralise(String(decoding: bytes, as: UTF8.self)).utf8) : Data(bytes)
        (stream == 1 ? FileHandle.standardOutput : FileHandle.standardError).write(shown)
    }

    /// `512`, `512M`, `1G`, `65536K` → MiB.
    static func megabytes(_ text: String) -> Int? {
        let units: [Character: Double] = ["K": 1.0 / 1024, "M": 1, "G": 1024]
        var number = text.uppercased()
        if number.hasSuffix("B") { number.removeLast() }
        var factor = 1.0
        if let last = number.last, let unit = units[last] {
            factor = unit
            number.removeLast()
        }
        guard let value = Double(number), value > 0 else { return nil }
        return max(1, Int(value * factor))
    }
}
