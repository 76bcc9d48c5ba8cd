import Foundation
import Metrics
import MinicLLM
import MinicQueue

/// What the pipeline measures, through swift-metrics: free until a process bootstraps a backend (`minic serve`,
/// `minic worker --metrics-port`), where it becomes Prometheus text at `/metrics`.
///
/// Names and labels are a contract for dashboards; see README "Metrics".
enum TaskMetrics {
    static func submitted(_ tasks: [TaskRecord]) {
        // One counter lookup per type in a batch (a group commit of the server's takes hundreds).
        var byType: [String: Int] = [:]
        for task in tasks { byType[task.type, default: 0] += 1 }
        for (type, count) in byType { Counter(label: "minic_tasks_submitted_total", dimensions: [("type", type)]).increment(by: count) }
    }

    /// A task that ran here reached `state` (succeeded, failed, dead, or queued again) after `seconds`.
    static func finished(type: String, state: TaskState, seconds: Double) {
        Counter(label: "minic_tasks_finished_total", dimensions: [("type", type), ("state", state.rawValue)]).increment()
        Timer(label: "minic_task_duration_seconds", dimensions: [("type", type)]).recordSeconds(seconds)
    }

    static func firstToken(type: String, seconds: Double) {
        Timer(label: "minic_task_first_token_seconds", dimensions: [("type", type)]).recordSeconds(seconds)
    }

    static func usage(provider: String, model: String, _ usage: TaskUsage) {
        let labels = [("provider", provider), ("model", label(model))]
        Counter(label: "minic_llm_tokens_total", dimensions: labels + [("kind", "input")]).increment(by: max(0, usage.inputTokens))
        Counter(label: "minic_llm_tokens_total", dimensions: labels + [("kind", "output")]).increment(by: max(0, usage.outputTokens))
        if let cost = usage.costUSD, cost.isFinite, cost > 0 {
            FloatingPointCounter(label: "minic_llm_cost_usd_total", dimensions: labels).increment(by: cost)
        }
    }

    /// A label value from what a server said (a model's name): at most 64 characters of a model name's
    /// alphabet, else `other`, so a server cannot grow the metrics without bound.
    static func label(_ text: String) -> String {
        let allowed = text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || "-_.:/@".utf8.contains(byte)
        }
        return allowed && !text.isEmpty && text.utf8.count <= 64 ? text : "other"
    }

    /// A model call that failed for good, by what failed: the HTTP status, the API's error type, or the kind.
    static func llmError(_ error: any Error) {
        let status: String
        switch error as? LLMError {
        case .http(let code, _, _)?: status = String(code)
        case .api(let type, _, _)?: status = type.count <= 40 && type.allSatisfy({ $0.isLetter || $0 == "_" }) ? type : "api"
        case .transport?: status = "transport"
        case .timeout?: status = "timeout"
        case .stream?, .incomplete?: status = "stream"
        case .tooLarge?: status = "too_large"
        case .cancelled?: return
        default: return
        }
        Counter(label: "minic_llm_errors_total", dimensions: [("status", status)]).increment()
    }

    /// A person rated a task's answer (`minic tasks rate`, `POST /v1/tasks/{id}/rating`).
    static func rated(_ verdict: TaskRating.Verdict) {
        Counter(label: "minic_task_ratings_total", dimensions: [("verdict", verdict.rawValue)]).increment()
    }

    /// A guardrail finding on an answer and what the policy decided for it (`redact` for secrets taken out).
    static func finding(rule: String, decision: String) {
        Counter(label: "minic_guardrail_findings_total", dimensions: [("rule", rule), ("decision", decision)]).increment()
    }
}
