import Foundation

/// One call's side of its ``RateLimiter``: admission before each attempt (waited out on the call's own
/// thread, cancellably, within the call's total timeout), the provider's signals as soon as an answer's
/// head arrives, and the correction once the attempt's real cost is known.
struct RateGate: Sendable {
    let limiter: any RateLimiter
    let key: RateBucketKey
    let limits: RateLimits
    /// One request and the estimated tokens: the request body's bytes / 4 for the input, plus `max_tokens`.
    let estimate: RateCost

    init(limiter: any RateLimiter, key: RateBucketKey, limits: RateLimits, bodyBytes: Int, maxTokens: Int) {
        self.limiter = limiter
        self.key = key
        self.limits = limits
        estimate = RateCost(requests: 1, tokens: RateGate.estimatedTokens(bodyBytes: bodyBytes, maxTokens: maxTokens))
    }

    /// The gate of one call to `request.model` at `baseURL`, when the provider has a limiter.
    static func make(
        _ limiter: (any RateLimiter)?, provider: String, baseURL: String, limits: RateLimits, bodyBytes: Int, request: LLMRequest
    ) -> RateGate? {
        limiter.map {
            RateGate(
                limiter: $0, key: RateBucketKey(provider: provider, baseURL: baseURL, model: request.model), limits: limits, bodyBytes: bodyBytes,
                maxTokens: request.maxTokens)
        }
    }

    /// The tokens a call is counted for before it goes out: its body's bytes / 4 (rounded up; JSON framing
    /// included, so on the high side) for the input, plus `max_tokens` for the output.
    static func estimatedTokens(bodyBytes: Int, maxTokens: Int) -> Int { (bodyBytes + 3) / 4 + maxTokens }

    /// Takes the attempt's estimate and waits until it may go out.
    /// - Throws: ``LLMError/timeout(_:)`` when the wait would pass `deadline` (nothing is kept taken),
    ///   ``LLMError/cancelled`` when the call is cancelled while waiting, ``LLMError/transport(_:retryable:)``
    ///   when the limiter cannot keep count (the attempt does not go out).
    func admit(deadline: Date, cancelled: CancelFlag, text: ProviderText) throws -> RateGrant {
        let grant: RateGrant
        do {
            grant = try limiter.acquire(estimate, key: key, limits: limits)
        } catch {
            throw LLMError.transport(text.clean("the rate limiter could not be consulted: \(error)"), retryable: true)
        }
        guard grant.wait > 0 else { return grant }
        let until = Date().addingTimeInterval(grant.wait)
        guard until < deadline else {
            limiter.correct(grant, actual: .zero)
            throw LLMError.timeout(
                "the rate limit (llm.requests_per_minute, llm.tokens_per_minute or the provider's own) holds this call back \(Int(grant.wait.rounded(.up))) s, past llm.timeout_seconds"
            )
        }
        while Date() < until && !cancelled.isRaised { Thread.sleep(forTimeInterval: max(0, min(0.05, until.timeIntervalSinceNow))) }
        if cancelled.isRaised {
            limiter.correct(grant, actual: .zero)
            throw LLMError.cancelled
        }
        return grant
    }

    /// Pauses the limiter when an answer's head says the provider is running low (``RateSignals``).
    func observe(_ head: HTTPResponseHead, dialect: StreamDialect) {
        let seconds = RateSignals.pause(head: head, estimatedTokens: estimate.tokens, dialect: dialect)
        if seconds > 0 { limiter.pause(key, limits: limits, seconds: seconds) }
    }

    /// Replaces the estimate once the cost is known: the usage the provider reported for a finished answer,
    /// no tokens for an error answer (a status other than 200). Otherwise (a transfer or stream that broke,
    /// an answer that reported no usage) the estimate stands.
    func settle(_ grant: RateGrant, state: StreamState, finished: Bool) {
        if finished && !state.usageReported {
            // No usage in the answer: the estimate stands (a call never counts as free).
            return
        } else if finished {
            // Counts are range-checked as they are read (ReportedUsage); a correction still never takes
            // more than four times the estimate, so one answer cannot empty a shared bucket for long.
            let reported = state.usage.inputTokens.addingReportingOverflow(state.usage.outputTokens)
            let ceiling = grant.cost.tokens.multipliedReportingOverflow(by: 4)
            let actual = min(reported.overflow ? Int.max : reported.partialValue, ceiling.overflow ? Int.max : ceiling.partialValue)
            limiter.correct(grant, actual: RateCost(requests: 1, tokens: actual))
        } else if state.head.status != 0 && state.head.status != 200 {
            limiter.correct(grant, actual: RateCost(requests: 1, tokens: 0))
        }
    }
}
