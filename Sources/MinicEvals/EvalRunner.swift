import Foundation
import MinicCore
import MinicGuard
import MinicLLM
import MinicTasks

/// One unit of work: a case, on one side, once.
struct EvalJob: Sendable {
    let caseIndex: Int
    let side: Int
    let repeatIndex: Int
}

/// Runs eval samples: each case's prompt rendered from a side's template, answered by the provider, its checks
/// scored; up to `concurrency` model calls at once. Blocking steps (the analysers, the sandbox) run off Swift's
/// cooperative pool.
struct EvalRunner: Sendable {
    let provider: any LLMProvider
    let model: String
    let concurrency: Int
    let suite: EvalSuite
    let sides: [EvalSide]
    /// The home the sandbox guards (`runs` checks).
    let homePath: String
    let analyzer = CodeAnalyzer()

    var offline: Bool { provider is OfflineProvider }

    /// Every job's sample, in the order of `jobs`.
    func run(_ jobs: [EvalJob], progress: (@Sendable (Int, Int) -> Void)?) async -> [EvalSample] {
        var samples = [EvalSample?](repeating: nil, count: jobs.count)
        var done = 0
        await withTaskGroup(of: (Int, EvalSample).self) { group in
            var next = 0
            func start() {
                let index = next
                let job = jobs[index]
                next += 1
                group.addTask { (index, await self.sample(job)) }
            }
            while next < jobs.count && next < concurrency { start() }
            while let (index, sample) = await group.next() {
                samples[index] = sample
                done += 1
                progress?(done, jobs.count)
                if next < jobs.count { start() }
            }
        }
        return samples.map { $0! }
    }

    /// One sample: the template checks, then (with a model) the answer and the case's checks.
    func sample(_ job: EvalJob) async -> EvalSample {
        let item = suite.cases[job.caseIndex]
        let side = sides[job.side]
        var sample = EvalSample(caseIndex: job.caseIndex, side: job.side, repeatIndex: job.repeatIndex, checks: [], score: 0)
        let (templateChecks, system, user) = TemplateChecks.run(item, side: side)
        sample.checks = templateChecks
        let templateScore = EvalStatistics.mean(templateChecks.map(\.score))
        if offline || item.checks.isEmpty {
            sample.checks += item.checks.map { EvalCheckResult(check: $0.label, score: 0, detail: "needs a model (offline provider)", skipped: true) }
            sample.score = templateScore
            return sample
        }
        if templateChecks.contains(where: { !$0.passed }) {
            sample.checks += item.checks.map { EvalCheckResult(check: $0.label, score: 0, detail: "not asked: a template check failed") }
            sample.score = 0
            return sample
        }
        let request = LLMRequest(
            model: model, system: system, messages: [LLMMessage(role: .user, text: user)], maxTokens: side.config.llm.maxTokens,
            temperature: side.config.llm.temperature, taskType: item.type.rawValue,
            attachments: item.files.map { LLMAttachment(path: $0.path, content: SharedSecretScanner.shared.redactingSecrets(in: $0.content).text) })
        let answer: String
        do {
            let response = try await provider.complete(request)
            count(response, into: &sample)
            answer = response.text
        } catch {
            let why = "the model call failed: \(SharedSecretScanner.shared.redactingSecrets(in: "\(error)").text.prefix(300))"
            sample.checks += item.checks.map { EvalCheckResult(check: $0.label, score: 0, detail: why) }
            sample.score = 0
            sample.error = why
            return sample
        }
        var scores: [Double] = []
        for check in item.checks {
            let result = await score(check, answer: answer, item: item, side: side, sample: &sample)
            scores.append(result.score)
            sample.checks.append(result)
        }
        sample.score = EvalStatistics.mean(scores)
        return sample
    }

    private func count(_ response: LLMResponse, into sample: inout EvalSample) {
        sample.inputTokens += response.usage.inputTokens
        sample.outputTokens += response.usage.outputTokens
        let cost = response.fromModel ? Pricing.cost(model: response.model, usage: response.usage) : nil
        sample.costUSD = sample.costUSD.flatMap { sum in cost.map { sum + $0 } }
    }

    /// One check of an answer.
    private func score(_ check: EvalCheck, answer: String, item: EvalCase, side: EvalSide, sample: inout EvalSample) async -> EvalCheckResult {
        func verdict(_ passed: Bool, _ why: @autoclosure () -> String) -> EvalCheckResult {
            EvalCheckResult(check: check.label, score: passed ? 1 : 0, detail: passed ? nil : why())
        }
        switch check {
        case .contains(let text): return verdict(answer.contains(text), "the answer does not contain it")
        case .notContains(let text): return verdict(!answer.contains(text), "the answer contains it")
        case .regex(let pattern):
            do {
                return verdict(try BoundedRegex.matches(pattern, in: answer), "no match in the answer")
            } catch {
                return verdict(false, error.message)
            }
        case .maxChars(let limit): return verdict(answer.count <= limit, "the answer has \(answer.count) characters")
        case .jsonSchema(let schema):
            let text = EvalRunner.jsonText(in: answer)
            guard let value = try? StrictJSON.parse(Array(text.utf8)) else { return verdict(false, "the answer is not JSON") }
            let mismatch = schema.mismatch(value)
            return verdict(mismatch == nil, mismatch ?? "")
        case .noFindings:
            let analyzer = self.analyzer
            let found = await Blocking.run { () -> [String] in
                let secrets = SharedSecretScanner.shared.redactingSecrets(in: answer).findings.map { "secret \($0.ruleID) line \($0.line)" }
                return secrets + analyzer.analyze(answer: answer).map { "\($0.ruleID) line \($0.line)" }
            }
            return verdict(found.isEmpty, "the guardrails find: \(found.prefix(5).joined(separator: ", "))")
        case .runs(let command):
            let originals = Dictionary(item.files.map { ($0.path, $0.content) }, uniquingKeysWith: { _, last in last })
            let edits: AnswerEdits
            do {
                edits = try AnswerEdits.extract(answer: answer, originals: originals)
            } catch {
                return verdict(false, "the answer's changes cannot be read: \(error.message)")
            }
            let runner = CheckRunner(config: side.config, homePath: homePath, analyzer: analyzer)
            let round = await Blocking.run { runner.run(checks: [command], originals: originals, edits: edits, round: 0) }
            if let why = round.notExecuted { return verdict(false, why) }
            guard let result = round.results.first else { return verdict(false, "did not run") }
            return verdict(result.passed, result.ending)
        case .judge(let path):
            return await judge(path, answer: answer, item: item, side: side, sample: &sample)
        }
    }

    /// A judge check: the template rendered with the case and the answer, sent to the model; the last number of
    /// the reply is the score. A number outside 0-1, or none, scores 0 (fail closed) and says so.
    private func judge(_ path: String, answer: String, item: EvalCase, side: EvalSide, sample: inout EvalSample) async -> EvalCheckResult {
        let label = EvalCheck.judge(path).label
        guard let loaded = suite.judges[path] else { return EvalCheckResult(check: label, score: 0, detail: "\(path) not loaded") }
        let template: PromptTemplate
        switch loaded {
        case .failure(let error): return EvalCheckResult(check: label, score: 0, detail: error.message)
        case .success(let found): template = found
        }
        var context = TemplateChecks.context(for: item)
        context["answer"] = answer
        context["case"] = ["name": item.name, "prompt": item.prompt, "type": item.type.rawValue]
        let user = template.render(part: .user, context: context)
        guard !user.isEmpty else { return EvalCheckResult(check: label, score: 0, detail: "\(path): the {{#user}} part renders empty") }
        let request = LLMRequest(
            model: model, system: template.render(part: .system, context: context), messages: [LLMMessage(role: .user, text: user)],
            maxTokens: side.config.llm.maxTokens, temperature: 0, taskType: "judge", attachments: [])
        do {
            let response = try await provider.complete(request)
            count(response, into: &sample)
            guard let score = EvalRunner.lastNumber(in: response.text) else {
                return EvalCheckResult(check: label, score: 0, detail: "the judge's reply has no number")
            }
            guard (0...1).contains(score) else { return EvalCheckResult(check: label, score: 0, detail: "the judge answered \(score), outside 0-1") }
            return EvalCheckResult(check: label, score: score, detail: score < 1 ? "the judge scored \(score)" : nil)
        } catch {
            let why = "the judge's call failed: \(SharedSecretScanner.shared.redactingSecrets(in: "\(error)").text.prefix(300))"
            sample.error = why
            return EvalCheckResult(check: label, score: 0, detail: why)
        }
    }

    /// The JSON of an answer: its first ```` ```json ```` block, else the whole answer trimmed.
    static func jsonText(in answer: String) -> String {
        if let fence = answer.range(of: "```json") {
            let rest = answer[fence.upperBound...]
            if let newline = rest.firstIndex(of: "\n"), let end = rest[newline...].range(of: "```") {
                return String(rest[rest.index(after: newline)..<end.lowerBound])
            }
        }
        return answer.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The last number standing on its own in `text` (`0.8`, `1`, `.5`, `-2`; not the `9` of `a-z0-9` or `v2`), if any.
    static func lastNumber(in text: String) -> Double? {
        let regex = try? NSRegularExpression(pattern: "(?<![\\w.\\-])-?(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)(?![\\w.]*[\\w])")
        guard let match = regex?.matches(in: text, range: NSRange(text.startIndex..., in: text)).last,
            let range = Range(match.range, in: text)
        else { return nil }
        return Double(text[range].hasPrefix(".") ? "0" + text[range] : String(text[range]))
    }
}
