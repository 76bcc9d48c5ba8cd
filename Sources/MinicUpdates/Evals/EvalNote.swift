import Foundation
import MinicCore
import MinicGit

/// The score of a proposal against its base: the eval suite run on the head (`base`) and on the tree the merge would
/// record (`tree`), with the same provider, model, cases and repeats. Stored as JSON in a git note on the proposal's
/// head under ``EvalNote/notesRef`` (`git notes --ref=minic/evals show <sha>` prints it), read by the eval gate.
public struct EvalNote: Codable, Sendable, Equatable {
    /// One case, on both sides.
    public struct Case: Codable, Sendable, Equatable {
        public var name: String
        /// The case's score (0-1, the share of its checks that pass, averaged over repeats) on the base and on the proposal.
        public var base: Double?
        public var proposal: Double?
        public var delta: Double? { base.flatMap { b in proposal.map { $0 - b } } }
        /// Checks that could not run (the offline provider: every check that needs a model), per sample.
        public var skipped: [String]

        public init(name: String, base: Double?, proposal: Double?, skipped: [String]) {
            self.name = name
            self.base = base
            self.proposal = proposal
            self.skipped = skipped
        }

        enum CodingKeys: String, CodingKey { case name, base, proposal, delta, skipped }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            base = try container.decodeIfPresent(Double.self, forKey: .base)
            proposal = try container.decodeIfPresent(Double.self, forKey: .proposal)
            skipped = try container.decodeIfPresent([String].self, forKey: .skipped) ?? []
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(base, forKey: .base)
            try container.encode(proposal, forKey: .proposal)
            try container.encode(delta, forKey: .delta)
            try container.encode(skipped, forKey: .skipped)
        }
    }

    /// The overall scores (means over the scored cases) and the delta's 95% confidence interval.
    public struct Overall: Codable, Sendable, Equatable {
        public var base: Double
        public var proposal: Double
        public var delta: Double
        public var low: Double
        public var high: Double
        /// How many paired units the interval is computed from (cases, or one case's repeats).
        public var samples: Int

        public init(base: Double, proposal: Double, delta: Double, low: Double, high: Double, samples: Int) {
            self.base = base
            self.proposal = proposal
            self.delta = delta
            self.low = low
            self.high = high
            self.samples = samples
        }
    }

    public var version = 1
    public var proposal: String
    public var proposalHead: String
    /// The head evaluated as the base, and the tree the merge would record.
    public var base: String
    public var tree: String
    public var provider: String
    public var model: String
    /// No model answer was scored (the offline provider, or no case has a check that reads an answer): only the
    /// template checks were.
    public var offline: Bool
    /// The whole suite with the head's model and `evals.repeats` (no `--case`, `--model` or `--repeat`): only such a
    /// note is current for the gate.
    public var full: Bool
    public var repeats: Int
    public var cases: [Case]
    /// `nil` when no case could be scored on both sides.
    public var overall: Overall?
    public var inputTokens: Int
    public var outputTokens: Int
    /// `nil` when the model has no known price.
    public var costUSD: Double?
    public var createdAt: Date

    public init(
        proposal: String, proposalHead: String, base: String, tree: String, provider: String, model: String, offline: Bool, full: Bool, repeats: Int,
        cases: [Case], overall: Overall?, inputTokens: Int, outputTokens: Int, costUSD: Double?, createdAt: Date
    ) {
        self.offline = offline
        self.full = full
        self.proposal = proposal
        self.proposalHead = proposalHead
        self.base = base
        self.tree = tree
        self.provider = provider
        self.model = model
        self.repeats = repeats
        self.cases = cases
        self.overall = overall
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case version, proposal, base, tree, provider, model, offline, full, repeats, cases, overall
        case proposalHead = "proposal_head"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case costUSD = "cost_usd"
        case createdAt = "created_at"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        proposal = try container.decode(String.self, forKey: .proposal)
        proposalHead = try container.decode(String.self, forKey: .proposalHead)
        base = try container.decode(String.self, forKey: .base)
        tree = try container.decode(String.self, forKey: .tree)
        provider = try container.decode(String.self, forKey: .provider)
        model = try container.decode(String.self, forKey: .model)
        // A note that does not say is taken at its worst: offline, partial (fail closed).
        offline = try container.decodeIfPresent(Bool.self, forKey: .offline) ?? true
        full = try container.decodeIfPresent(Bool.self, forKey: .full) ?? false
        repeats = try container.decode(Int.self, forKey: .repeats)
        cases = try container.decode([Case].self, forKey: .cases)
        overall = try container.decodeIfPresent(Overall.self, forKey: .overall)
        inputTokens = try container.decode(Int.self, forKey: .inputTokens)
        outputTokens = try container.decode(Int.self, forKey: .outputTokens)
        costUSD = try container.decodeIfPresent(Double.self, forKey: .costUSD)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
    }

    /// Whether the overall figures follow from the cases (the mean of their deltas, inside its own interval): a note
    /// edited by hand to show a better delta than its cases is not trusted, and the gate evaluates again.
    public var isConsistent: Bool {
        let deltas = cases.compactMap(\.delta)
        guard let overall else { return deltas.isEmpty }
        guard deltas.count == cases.count, !deltas.isEmpty else { return false }
        let mean = deltas.reduce(0, +) / Double(deltas.count)
        let values = [overall.delta, overall.low, overall.high, overall.base, overall.proposal]
        return values.allSatisfy(\.isFinite) && abs(mean - overall.delta) < 1e-9 && overall.low <= overall.delta + 1e-9 && overall.delta <= overall.high + 1e-9
    }

    /// Where the notes live: `git notes --ref=minic/evals`.
    public static let notesRef = "refs/notes/minic/evals"

    /// The cases whose score went down, worst first.
    public var worse: [Case] {
        cases.filter { ($0.delta ?? 0) < 0 }.sorted { ($0.delta ?? 0, $0.name) < ($1.delta ?? 0, $1.name) }
    }

    /// `+0.250 [+0.100, +0.400]`: the `Eval-Delta` trailer of a merge and the line `update show` prints.
    public var deltaText: String {
        guard let overall else { return "none (no case scored on both sides)" }
        return "\(EvalNote.signed(overall.delta)) [\(EvalNote.signed(overall.low)), \(EvalNote.signed(overall.high))]"
    }

    /// A score difference with its sign and three decimals.
    public static func signed(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        let magnitude = abs(rounded)
        let whole = Int(magnitude)
        let thousandths = Int(((magnitude - Double(whole)) * 1000).rounded())
        let digits = String(thousandths)
        return (rounded < 0 ? "-" : "+") + "\(whole)." + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// The note as stored: pretty, stable JSON.
    public func encoded() throws(MinicError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        } catch {
            throw .internal("encoding the eval note: \(error)")
        }
    }

    /// Reads a stored note; `nil` when it is not one minic wrote (it is then not current, and the gate evaluates again).
    public static func decode(_ text: String) -> EvalNote? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(EvalNote.self, from: Data(text.utf8))
    }
}
