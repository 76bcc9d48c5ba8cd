import Foundation

/// Token counts as a provider reports them, checked before anything adds them up.
///
/// A count is a JSON integer from 0 to ``maxTokens``: a negative, fractional or absurd count
/// (`9223372036854775807`) fails the attempt instead of overflowing a sum (a trap that would take
/// the whole worker down) or emptying a shared rate-limit bucket for an hour.
enum ReportedUsage {
    /// Far above any model's context and output together (10 million tokens would be a record).
    static let maxTokens = 100_000_000

    /// `value` as a token count; absent is 0.
    /// - Throws: ``LLMError/stream(_:)`` for anything but an integer in range.
    static func tokens(_ value: Any?, field: String) throws -> Int {
        guard let value else { return 0 }
        // JSON `true` arrives as an NSNumber subclass (`is Bool` holds for 0 and 1 too): only a plain NSNumber is a count.
        guard let number = value as? NSNumber, type(of: number) == NSNumber.self, let count = value as? Int, (0...maxTokens).contains(count) else {
            throw LLMError.stream("the provider reported an impossible \(field) (not an integer from 0 to \(maxTokens))")
        }
        return count
    }
}
