import MinicCore
import MinicGit

/// What a proposal evaluator scores: the head in force and the tree a merge would record.
public struct EvalSubject: Sendable {
    public let proposalID: String
    public let proposalHead: OID
    /// The head (the base of the comparison) and its tree.
    public let base: OID
    public let baseTree: OID
    /// The tree the merge would record.
    public let tree: OID
}

/// Runs the eval suite on both sides of a proposal. The update engine takes one through this protocol (MinicEvals
/// implements it) instead of importing what runs models: the engine only stores the note and applies the gate.
public protocol ProposalEvaluator: Sendable {
    /// Scores `subject` in `home`. Blocking: it waits for model calls; call it off Swift's cooperative pool.
    /// - Throws: ``MinicError`` when the suite cannot run; a gate that needs the score then refuses (fail closed).
    func evaluate(_ subject: EvalSubject, home: Home, progress: (@Sendable (Int, Int) -> Void)?) throws(MinicError) -> EvalNote

    /// The provider and model a full evaluation would use now (`provider model`): a stored note made with others
    /// is not current.
    func runsWith(home: Home) throws(MinicError) -> String
}

/// The evaluator an ``UpdateEngine`` uses when none was given: set once by whoever links one (the `minic` command,
/// the server, ``Minic``), so that every engine in the process, whoever makes it, can evaluate.
public enum ProposalEvaluators {
    private static let current = Locked<(any ProposalEvaluator)?>(nil)

    /// The process-wide evaluator, if one was installed.
    public static var installed: (any ProposalEvaluator)? { current.withLock { $0 } }

    /// Installs `evaluator` for every engine of this process made without one.
    public static func install(_ evaluator: any ProposalEvaluator) { current.withLock { $0 = evaluator } }
}
