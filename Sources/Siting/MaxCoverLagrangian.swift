/// The Lagrangian relaxation of maximal covering (MCLP without groups) by subgradient optimisation (Galvão and ReVelle,
/// "A Lagrangean heuristic for the maximal covering location problem", 1996): each row's "covered only if one of its
/// columns is open" constraint z_r ≤ Σ x_j is priced by λ_r ≥ 0, so
/// L(λ) = Σ_r max(0, w_r − λ_r) + the sum of the p largest positive v_j = Σ_{r the column covers} λ_r
/// is an upper bound on the covered weight. The p columns of largest v_j at each step are a solution; the best few
/// are improved by the swap search of `Covering.greedyMaxCover`.
struct MaxCoverLagrangian {
    /// The best (smallest) upper bound on the weight of the rows covered.
    var bound: Double
    /// The best solution found (column positions) and its weight.
    var best: [Int]
    var bestWeight: Double
    var iterations: Int

    init(_ s: CoverSets, p: Int, start: [Int], maxIterations: Int = 600, deadline: ContinuousClock.Instant? = nil) {
        let rows = s.rowCount, n = s.columnCount
        var lambda = s.rowWeight.map { $0 / 2 }
        var v = [Double](repeating: 0, count: n)
        var g = [Double](repeating: 0, count: rows)
        var upper = Double.infinity
        var best = start, bestWeight = s.weight(of: start)
        var f = 2.0, stall = 0, iterations = 0
        var open = [Bool](repeating: false, count: n)
        var starts: [(weight: Double, columns: [Int])] = []
        var seen = Set<[Int]>()
        let tolerance = 1e-9 * max(1, s.rowWeight.reduce(0, +))
        let colStart = s.colStart, colRows = s.colRows, rowStart = s.rowStart, rowCols = s.rowCols, weight = s.rowWeight
        var order = Array(0..<n)
        while iterations < maxIterations && n > 0 && p > 0 {
            iterations += 1
            let l: Double = colRows.withUnsafeBufferPointer { cr in
                lambda.withUnsafeBufferPointer { lam in
                    for c in 0..<n {
                        var x = 0.0
                        for k in colStart[c]..<colStart[c + 1] { x += lam[Int(cr[k])] }
                        v[c] = x
                    }
                    var l = 0.0
                    for r in 0..<rows { l += max(0, weight[r] - lam[r]) }
                    return l
                }
            }
            order.sort { (a: Int, b: Int) -> Bool in v[a] != v[b] ? v[a] > v[b] : a < b }
            var top: [Int] = []
            for c in order.prefix(p) where v[c] > 0 { top.append(c) }
            let value = top.reduce(l) { $0 + v[$1] }
            if value < upper - tolerance {
                upper = value
                stall = 0
            } else {
                stall += 1
                if stall >= 15 {
                    f /= 2
                    stall = 0
                }
            }
            // the Lagrangian's columns as a solution
            let sorted = top.sorted()
            if seen.insert(sorted).inserted {
                let w = s.weight(of: sorted)
                if w > bestWeight {
                    bestWeight = w
                    best = sorted
                }
                starts.append((w, sorted))
            }
            if bestWeight >= upper - tolerance || f < 0.002 { break }
            if let deadline, iterations % 16 == 0, ContinuousClock.now >= deadline { break }
            for c in 0..<n { open[c] = false }
            for c in top { open[c] = true }
            let norm: Double = rowCols.withUnsafeBufferPointer { rc in
                var norm = 0.0
                for r in 0..<rows {
                    var x = weight[r] > lambda[r] ? -1.0 : 0.0
                    for k in rowStart[r]..<rowStart[r + 1] where open[Int(rc[k])] { x += 1 }
                    if x > 0 && lambda[r] == 0 { x = 0 }
                    g[r] = x
                    norm += x * x
                }
                return norm
            }
            if norm == 0 { break }
            let t = f * (value - bestWeight) / norm
            for r in 0..<rows { lambda[r] = max(0, lambda[r] - t * g[r]) }
        }
        // the swap search from the best few Lagrangian solutions
        starts.sort { $0.weight > $1.weight }
        for start in starts.prefix(3) {
            if let deadline, ContinuousClock.now >= deadline { break }
            let improved = Covering.greedyMaxCover(s, p: p, initial: start.columns, deadline: deadline)
            let w = s.weight(of: improved)
            if w > bestWeight {
                bestWeight = w
                best = improved
            }
        }
        self.bound = n == 0 || p == 0 ? 0 : max(upper, bestWeight)
        self.best = best
        self.bestWeight = bestWeight
        self.iterations = iterations
    }
}
