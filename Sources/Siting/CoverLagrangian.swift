/// The Lagrangian relaxation of set covering with unit costs (LSCP), by subgradient optimisation (Beasley, "A
/// Lagrangian heuristic for set-covering problems", 1990): every row's "covered at least once" constraint is priced by a
/// multiplier u_r ≥ 0, a column's reduced cost is 1 − Σ_{r it covers} u_r, and
/// L(u) = Σ_r u_r + Σ_j min(0, reduced cost_j) is a lower bound on the number of columns of any cover.
/// At each step the columns of negative reduced cost, completed for the rows they miss by the cheapest column of each
/// row and stripped of redundant columns, give a cover; the best one is kept.
struct CoverLagrangian {
    /// The best lower bound found (not rounded).
    var bound: Double
    /// Reduced costs at the multipliers of `bound`.
    var reducedCosts: [Double]
    /// The smallest cover found (column positions), never larger than the start.
    var best: [Int]
    var iterations: Int

    init(_ s: CoverSets, start: [Int], maxIterations: Int = 2000, deadline: ContinuousClock.Instant? = nil) {
        let rowCount = s.rowCount, n = s.columnCount
        var u = [Double](repeating: 0, count: rowCount)
        for r in 0..<rowCount {
            var v = 1.0
            for c in s.cols(ofRow: r) { v = min(v, 1 / Double(s.colStart[Int(c) + 1] - s.colStart[Int(c)])) }
            u[r] = v
        }
        var rc = [Double](repeating: 0, count: n)
        var g = [Double](repeating: 0, count: rowCount)
        var best = start
        var upper = Double(start.count)
        var lower = -Double.infinity
        var bestU = u
        var f = 2.0, stall = 0
        var iterations = 0
        func proven() -> Bool { (lower - 1e-6).rounded(.up) >= upper }
        while iterations < maxIterations && rowCount > 0 {
            iterations += 1
            var l = 0.0
            for r in 0..<rowCount { l += u[r] }
            for c in 0..<n {
                var v = 1.0
                for r in s.rows(ofColumn: c) { v -= u[Int(r)] }
                rc[c] = v
                if v < 0 { l += v }
            }
            if l > lower + 1e-9 {
                lower = l
                bestU = u
                stall = 0
            } else {
                stall += 1
                if stall >= 20 {
                    f /= 2
                    stall = 0
                }
            }
            if iterations % 3 == 1 || proven() {
                let cover = Self.primal(s, reducedCosts: rc)
                if Double(cover.count) < upper {
                    upper = Double(cover.count)
                    best = cover
                }
            }
            if proven() || f < 0.002 { break }
            if let deadline, iterations % 16 == 0, ContinuousClock.now >= deadline { break }
            var norm = 0.0
            for r in 0..<rowCount {
                var v = 1.0
                for c in s.cols(ofRow: r) where rc[Int(c)] < 0 { v -= 1 }
                if v < 0 && u[r] == 0 { v = 0 }
                g[r] = v
                norm += v * v
            }
            if norm == 0 { break }  // the columns of negative reduced cost cover every row exactly once: L(u) is their count
            let t = f * (1.05 * upper - l) / norm
            for r in 0..<rowCount { u[r] = max(0, u[r] + t * g[r]) }
        }
        for c in 0..<n {
            var v = 1.0
            for r in s.rows(ofColumn: c) { v -= bestU[Int(r)] }
            rc[c] = v
        }
        self.bound = rowCount == 0 ? 0 : lower
        self.reducedCosts = rc
        self.best = best
        self.iterations = iterations
    }

    /// A cover from reduced costs: the columns of negative reduced cost, then for each row still uncovered its
    /// column of least reduced cost (ties: lower position), then redundant columns dropped, highest reduced cost first.
    static func primal(_ s: CoverSets, reducedCosts rc: [Double]) -> [Int] {
        var times = [Int32](repeating: 0, count: s.rowCount)
        var picked: [Int] = []
        var isPicked = [Bool](repeating: false, count: s.columnCount)
        func take(_ c: Int) {
            isPicked[c] = true
            picked.append(c)
            for r in s.rows(ofColumn: c) { times[Int(r)] += 1 }
        }
        for c in 0..<s.columnCount where rc[c] < 0 { take(c) }
        for r in 0..<s.rowCount where times[r] == 0 {
            var bestC = -1
            for c in s.cols(ofRow: r) where bestC < 0 || rc[Int(c)] < rc[bestC] { bestC = Int(c) }
            take(bestC)
        }
        picked.sort { rc[$0] != rc[$1] ? rc[$0] > rc[$1] : $0 > $1 }
        var keep: [Int] = []
        for c in picked {
            if s.rows(ofColumn: c).allSatisfy({ times[Int($0)] >= 2 }) {
                for r in s.rows(ofColumn: c) { times[Int(r)] -= 1 }
            } else {
                keep.append(c)
            }
        }
        return keep.sorted()
    }
}

extension Covering {
    /// Local search on a cover: drops redundant columns and replaces two columns by one wherever a single other
    /// column covers every row that only those two cover, until no such move is left. Never makes the cover larger.
    static func improveCover(_ s: CoverSets, _ cover: [Int], deadline: ContinuousClock.Instant? = nil) -> [Int] {
        var sites = cover
        var times = [Int32](repeating: 0, count: s.rowCount)
        for c in sites { for r in s.rows(ofColumn: c) { times[Int(r)] += 1 } }
        var mark = [Int32](repeating: -1, count: s.rowCount)
        var stampValue: Int32 = 0
        var need: [Int32] = []
        func covers(_ c: Int, _ r: Int) -> Bool {
            let cols = s.cols(ofRow: r)
            var lo = cols.startIndex, hi = cols.endIndex
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int(cols[mid]) < c { lo = mid + 1 } else { hi = mid }
            }
            return lo < cols.endIndex && Int(cols[lo]) == c
        }
        func drop(_ c: Int) { for r in s.rows(ofColumn: c) { times[Int(r)] -= 1 } }
        func add(_ c: Int) { for r in s.rows(ofColumn: c) { times[Int(r)] += 1 } }
        var improved = true
        while improved {
            improved = false
            if let deadline, ContinuousClock.now >= deadline { break }
            // redundant columns
            for (k, c) in sites.enumerated().reversed() where s.rows(ofColumn: c).allSatisfy({ times[Int($0)] >= 2 }) {
                drop(c)
                sites.remove(at: k)
                improved = true
            }
            // two for one
            search: for a in 0..<sites.count {
                for b in (a + 1)..<sites.count {
                    let ca = sites[a], cb = sites[b]
                    stampValue += 1
                    need.removeAll(keepingCapacity: true)
                    for r in s.rows(ofColumn: ca) {
                        let r = Int(r)
                        if times[r] == 1 || (times[r] == 2 && covers(cb, r)) {
                            need.append(Int32(r))
                            mark[r] = stampValue
                        }
                    }
                    for r in s.rows(ofColumn: cb) where times[Int(r)] == 1 && mark[Int(r)] != stampValue { need.append(r) }
                    guard let first = need.first else { continue }  // redundant pair: the pass above drops one next round
                    for k in s.cols(ofRow: Int(first)) {
                        let k = Int(k)
                        if k == ca || k == cb { continue }
                        if need.allSatisfy({ covers(k, Int($0)) }) {
                            drop(ca)
                            drop(cb)
                            add(k)
                            sites.remove(at: b)
                            sites.remove(at: a)
                            sites.append(k)
                            improved = true
                            break search
                        }
                    }
                }
            }
        }
        return sites.sorted()
    }
}
