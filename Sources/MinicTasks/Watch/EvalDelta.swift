/// The eval gate's note on a merge, its `Eval-Delta:` trailer: the change in eval score the merge
/// brought, with its 95% interval (`-0.250 [-0.400, -0.100]`).
public struct EvalDelta: Codable, Sendable, Equatable {
    public let delta: Double
    /// The interval's ends, when the trailer gives them.
    public let low: Double?
    public let high: Double?

    /// Reads the trailer's value leniently: the first number is the delta, the next two (if
    /// present) the interval; `nil` when there is no number at all.
    public init?(trailer: String) {
        let allowed = Set("0123456789.-+eE")
        let numbers = trailer.split(whereSeparator: { !allowed.contains($0) }).compactMap { Double(String($0)) }.filter(\.isFinite)
        guard let first = numbers.first else { return nil }
        delta = first
        if numbers.count >= 3 {
            low = min(numbers[1], numbers[2])
            high = max(numbers[1], numbers[2])
        } else {
            low = nil
            high = nil
        }
    }

    /// Whether the interval lies wholly below 0: the eval says the merge made answers worse.
    public var isRegression: Bool { high.map { $0 < 0 } ?? false }

    /// `-0.250 [-0.400, -0.100]`.
    public var text: String {
        let number = { (value: Double) in String(format: "%.3f", value) }
        guard let low, let high else { return number(delta) }
        return "\(number(delta)) [\(number(low)), \(number(high))]"
    }
}
