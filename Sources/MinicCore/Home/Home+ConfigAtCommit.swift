import Foundation
import MinicGit

extension Home {
    /// The configuration in force at `commit`: its `config.json`, or the file named by
    /// `MINIC_CONFIG` when that is set (as ``config()`` reads it).
    ///
    /// For readers that pin one commit for a whole operation (a task records the commit it
    /// ran with), so the config cannot move under them between two reads of the head.
    /// - Throws: ``MinicError`` when the file is missing or malformed.
    public func config(at commit: OID) throws(MinicError) -> MinicConfig {
        if let override = environment["MINIC_CONFIG"], !override.isEmpty {
            guard let data = FileManager.default.contents(atPath: override) else { throw .badInput("MINIC_CONFIG=\(override): cannot read the file") }
            return try MinicConfig.decode(data, source: override)
        }
        try requireTrusted(try head().commit)
        guard let bytes = try committedFile("config.json", at: commit) else { throw .internal("config.json is missing from the commit \(commit.short)") }
        return try MinicConfig.decode(Data(bytes), source: "config.json@\(commit.short)")
    }
}
