import Crypto
import Foundation
import MinicBase

extension TaskCoding {
    /// What makes two submissions with one idempotency key "the same request": the
    /// task's type, prompt, files, parameters, priority and attempts (as resolved, so
    /// an omitted `max_attempts` counts as the queue's default). `run_at` is left out:
    /// a retried `--at +60` or a default of "now" resolves to a new time on every try,
    /// and the key names the work, not its schedule.
    ///
    /// Each field is length-prefixed before hashing, so no two requests share an encoding. Options (checks,
    /// model, fix rounds) count when set; a task without them keeps the digest it had before options existed.
    public static func requestDigest(
        type: String, prompt: String, files: [String], parameters: [String: String], priority: Int, maxAttempts: Int, options: String? = nil
    ) -> String {
        var bytes: [UInt8] = []
        func field(_ text: String) {
            bytes += Array("\(text.utf8.count):".utf8)
            bytes += Array(text.utf8)
        }
        field("minic-request-v1")
        field(type)
        field(prompt)
        field(String(files.count))
        files.forEach(field)
        field(String(parameters.count))
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            field(key)
            field(value)
        }
        field(String(priority))
        field(String(maxAttempts))
        if let options { field(options) }
        return Hex.encode(SHA256.hash(data: bytes))
    }
}
