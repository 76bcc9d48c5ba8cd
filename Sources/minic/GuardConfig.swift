import ArgumentParser
import Foundation
import MinicCore

extension HomeOptions {
    /// The home the guardrails run with (nil when there is none) and the config they
    /// obey. Fails closed: a `--home` or `MINIC_HOME` that is not a home, a home whose
    /// committed config does not load, or a `MINIC_CONFIG` file that does not load is an
    /// error (exit 2, one line), never a fall-back to the defaults. Only with no home at
    /// all (none named, none found) do the embedded defaults apply.
    func guardrailConfig() throws(MinicError) -> (home: Home?, config: MinicConfig) {
        let environment = ProcessInfo.processInfo.environment
        let named = (home?.isEmpty == false) || (environment["MINIC_HOME"]?.isEmpty == false)
        let path = self.path
        guard Home.isHome(path) else {
            if named { throw .badInput("\(path) is not a minic home (from \(home?.isEmpty == false ? "--home" : "MINIC_HOME")); nothing was run") }
            // A home found by default (~/.minic) that is there but does not open (a broken
            // .git/config, another owner) holds a policy that cannot be read: never the defaults.
            if FileManager.default.fileExists(atPath: path) {
                throw .badInput("\(path) exists but does not open as a minic home; its policy cannot be read; nothing was run")
            }
            if let override = environment["MINIC_CONFIG"], !override.isEmpty {
                return (nil, try Self.loadOverride(override))
            }
            return (nil, MinicConfig())
        }
        let opened: Home
        do {
            opened = try Home(openAt: path)
        } catch {
            throw .badInput("cannot open the home \(path): \(error.message); nothing was run")
        }
        try HomeOptions.finishInterruptedUpdate(opened)
        do {
            return (opened, try opened.config())
        } catch {
            throw .badInput("config does not load: \(error.message); nothing was run")
        }
    }

    static func loadOverride(_ path: String) throws(MinicError) -> MinicConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .badInput("config does not load: MINIC_CONFIG=\(path): cannot read the file; nothing was run")
        }
        do {
            return try MinicConfig.decode(data, source: path)
        } catch {
            throw .badInput("config does not load: \(error.message); nothing was run")
        }
    }
}
