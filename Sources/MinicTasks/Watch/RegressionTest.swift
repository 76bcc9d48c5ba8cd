import Foundation

/// Whether tasks fail more often after a merge than before it, beyond what chance explains.
///
/// Fisher's exact test, one-sided, at every size: exact where a z-test is not (a handful of tasks
/// after a merge is the usual case when a revert matters most), and cheap at the counts a watch
/// reads (a sum of at most `window` terms, each from log-gamma).
public enum RegressionTest {
    /// The one-sided p-value that tasks after are bad more often than before: the chance, were
    /// bad tasks spread with no regard to the merge, of `afterBad` or more bad ones among the
    /// `afterTasks` after it (the hypergeometric upper tail). 1 when either side has no task or
    /// no task is bad.
    public static func pValue(afterBad: Int, afterTasks: Int, beforeBad: Int, beforeTasks: Int) -> Double {
        precondition(afterBad >= 0 && afterBad <= afterTasks && beforeBad >= 0 && beforeBad <= beforeTasks, "bad counts must lie within the task counts")
        let total = afterTasks + beforeTasks
        let bad = afterBad + beforeBad
        guard afterTasks > 0, beforeTasks > 0, bad > 0 else { return 1 }
        let denominator = logChoose(total, afterTasks)
        var p = 0.0
        for x in afterBad...min(bad, afterTasks) {
            p += exp(logChoose(bad, x) + logChoose(total - bad, afterTasks - x) - denominator)
        }
        return min(1, p)
    }

    /// log(n choose k).
    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }
}
