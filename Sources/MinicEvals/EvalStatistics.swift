/// Means and 95% confidence intervals (Student's t) of scores.
public enum EvalStatistics {
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// The 95% interval of the mean of `values`: mean ± t(0.975, n-1)·s/√n. With fewer than two values there is
    /// no spread to measure and the interval is the mean itself (a gate then reads the point).
    public static func interval(_ values: [Double]) -> (low: Double, high: Double) {
        let center = mean(values)
        guard values.count >= 2 else { return (center, center) }
        let variance = values.reduce(0) { $0 + ($1 - center) * ($1 - center) } / Double(values.count - 1)
        let half = tQuantile(degreesOfFreedom: values.count - 1) * (variance / Double(values.count)).squareRoot()
        return (center - half, center + half)
    }

    /// The two-sided 95% quantile of Student's t distribution.
    static func tQuantile(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ]
        if df >= 1 && df <= table.count { return table[df - 1] }
        if df <= 40 { return 2.021 }
        if df <= 60 { return 2.000 }
        if df <= 120 { return 1.980 }
        return 1.960
    }

    /// The units an interval is computed over: one score per case when there are two or more cases, else the
    /// samples of the one case (its repeats).
    static func units(perCase: [[Double]]) -> [Double] {
        perCase.count >= 2 ? perCase.map(mean) : perCase.first ?? []
    }
}
