internal import SpatialCore

/// LSCP and MCLP on `CoverSets`: heuristics (greedy, redundancy removal, swaps) and the CBC models.
/// Column numbers here are positions in `CoverSets.columns`.
enum Covering {
    // MARK: heuristics

    /// Greedy set cover (most uncovered rows first, ties to the lower column), then drops columns whose
    /// rows are all covered twice, last picked first.
    /// `initial` columns are taken first (e.g. those at 1 in the LP relaxation).
    static func greedyCover(_ s: CoverSets, initial: [Int] = []) -> [Int] {
        var count = (0..<s.columnCount).map { s.colStart[$0 + 1] - s.colStart[$0] }
        var covered = [Bool](repeating: false, count: s.rowCount)
        var remaining = s.rowCount
        var picked: [Int] = []
        for c in initial {
            picked.append(c)
            for r in s.rows(ofColumn: c) where !covered[Int(r)] {
                covered[Int(r)] = true
                remaining -= 1
                for k in s.cols(ofRow: Int(r)) { count[Int(k)] -= 1 }
            }
        }
        while remaining > 0 {
            var best = -1, bestCount = 0
            for c in 0..<s.columnCount where count[c] > bestCount { best = c; bestCount = count[c] }
            if best < 0 { break }  // cannot happen: every row has a column
            picked.append(best)
            for r in s.rows(ofColumn: best) where !covered[Int(r)] {
                covered[Int(r)] = true
                remaining -= 1
                for c in s.cols(ofRow: Int(r)) { count[Int(c)] -= 1 }
            }
        }
        var times = [Int](repeating: 0, count: s.rowCount)
        for c in picked { for r in s.rows(ofColumn: c) { times[Int(r)] += 1 } }
        var keep = Set(picked)
        for c in picked.reversed() where s.rows(ofColumn: c).allSatisfy({ times[Int($0)] >= 2 }) {
            keep.remove(c)
            for r in s.rows(ofColumn: c) { times[Int(r)] -= 1 }
        }
        return keep.sorted()
    }

    /// LP rounding: columns by decreasing LP value, each taken when it covers a row still uncovered; then
    /// the redundant ones are dropped (through `greedyCover`, which only removes).
    static func roundedCover(_ s: CoverSets, lp: [Double]) -> [Int] {
        var covered = [Bool](repeating: false, count: s.rowCount)
        var picked: [Int] = []
        for c in ranked(lp, count: s.columnCount) where s.rows(ofColumn: c).contains(where: { !covered[Int($0)] }) {
            picked.append(c)
            for r in s.rows(ofColumn: c) { covered[Int(r)] = true }
        }
        return greedyCover(s, initial: picked)
    }

    /// Greedy maximal covering with `p` columns, then 1-swap local search (best swap per entering column,
    /// applied at once) until no swap gains weight.
    /// `initial` (at most p columns, e.g. the largest in the LP relaxation) replaces the greedy start.
    ///
    /// With groups (`CoverSets.groupNeed`) every step keeps the groups satisfiable: a column is taken (from
    /// `initial`, or as the greedy's best gain) only while the slots left after it still hold the sites the
    /// groups miss; once they are just enough, only columns of groups that miss sites may enter. A swap never
    /// takes a group below its need. The result satisfies every group whenever p allows it.
    static func greedyMaxCover(_ s: CoverSets, p: Int, initial: [Int]? = nil, deadline: ContinuousClock.Instant? = nil) -> [Int] {
        let n = s.columnCount
        if p >= n { return Array(0..<n) }
        var cnt = [Int32](repeating: 0, count: s.rowCount)  // open columns covering each row
        var xorOwner = [Int32](repeating: 0, count: s.rowCount)  // xor of open columns covering the row: the owner when cnt == 1
        var open = [Bool](repeating: false, count: n)
        var gain = (0..<n).map { c in s.rows(ofColumn: c).reduce(0.0) { $0 + s.rowWeight[Int($1)] } }
        var openInGroup = [Int](repeating: 0, count: s.groupNeed.count)
        var missing = s.groupNeed.reduce(0, +)  // sites the groups still miss
        var openCount = 0
        /// Does taking column c leave room for what the groups miss?
        func fits(_ c: Int) -> Bool {
            let g = s.columnGroup[c]
            if g >= 0, openInGroup[g] < s.groupNeed[g] { return true }
            return p - openCount - 1 >= missing
        }
        /// May open column j leave for column k without a group falling below its need?
        func mayLeave(_ j: Int, for k: Int) -> Bool {
            let g = s.columnGroup[j]
            return g < 0 || s.columnGroup[k] == g || openInGroup[g] > s.groupNeed[g]
        }
        func add(_ c: Int) {
            let g = s.columnGroup[c]
            if g >= 0 {
                if openInGroup[g] < s.groupNeed[g] { missing -= 1 }
                openInGroup[g] += 1
            }
            openCount += 1
            open[c] = true
            for r in s.rows(ofColumn: c) {
                let r = Int(r)
                if cnt[r] == 0 { for k in s.cols(ofRow: r) { gain[Int(k)] -= s.rowWeight[r] } }
                cnt[r] += 1
                xorOwner[r] ^= Int32(c)
            }
        }
        func remove(_ c: Int) {
            let g = s.columnGroup[c]
            if g >= 0 {
                openInGroup[g] -= 1
                if openInGroup[g] < s.groupNeed[g] { missing += 1 }
            }
            openCount -= 1
            open[c] = false
            for r in s.rows(ofColumn: c) {
                let r = Int(r)
                cnt[r] -= 1
                xorOwner[r] ^= Int32(c)
                if cnt[r] == 0 { for k in s.cols(ofRow: r) { gain[Int(k)] += s.rowWeight[r] } }
            }
        }
        for c in initial ?? [] where openCount < p && !open[c] && fits(c) { add(c) }
        while openCount < p {
            var best = -1, bestGain = -1.0
            for c in 0..<n where !open[c] && gain[c] > bestGain && fits(c) { best = c; bestGain = gain[c] }
            if best < 0 { break }  // only when p cannot satisfy the groups (checked before)
            add(best)
        }
        // loss[j]: weight covered only by j
        var loss = [Double](repeating: 0, count: n)
        func recomputeLoss() {
            for c in 0..<n { loss[c] = 0 }
            for r in 0..<s.rowCount where cnt[r] == 1 { loss[Int(xorOwner[r])] += s.rowWeight[r] }
        }
        recomputeLoss()
        var overlap = [Double](repeating: 0, count: n)
        var touched: [Int] = []
        var improved = true
        while improved {
            improved = false
            if let deadline, ContinuousClock.now >= deadline { break }
            for k in 0..<n where !open[k] && gain[k] > 0 {
                // swap j out, k in: gain[k] − loss[j] + (weight of rows only j covers that k covers)
                for r in s.rows(ofColumn: k) where cnt[Int(r)] == 1 {
                    let j = Int(xorOwner[Int(r)])
                    if overlap[j] == 0 { touched.append(j) }
                    overlap[j] += s.rowWeight[Int(r)]
                }
                var bestJ = -1, bestDelta = 1e-9 * max(1, gain[k])
                for j in 0..<n where open[j] && mayLeave(j, for: k) {
                    let delta = gain[k] - loss[j] + overlap[j]
                    if delta > bestDelta { bestDelta = delta; bestJ = j }
                }
                for j in touched { overlap[j] = 0 }
                touched.removeAll(keepingCapacity: true)
                if bestJ >= 0 {
                    remove(bestJ)
                    add(k)
                    recomputeLoss()
                    improved = true
                }
            }
        }
        return (0..<n).filter { open[$0] }
    }

    // MARK: CBC models

    /// min Σ y_j  s.t.  Σ_{j covers r} y_j ≥ 1 for every row; y binary.
    static func lscpModel(_ s: CoverSets) -> MIPModel {
        var m = MIPModel(sense: .minimize)
        for _ in 0..<s.columnCount { m.addColumn(.binary, objective: 1) }
        for r in 0..<s.rowCount { m.addRow(ones: s.cols(ofRow: r).lazy.map { Int($0) }, .greaterOrEqual, 1) }
        return m
    }

    /// max Σ w_r z_r  s.t.  z_r − Σ_{j covers r} x_j ≤ 0, Σ x_j ≤ p, Σ_{j in group g} x_j ≥ need_g; x binary,
    /// z ∈ [0, 1] continuous (integral at an optimum once x is). "≤ p" instead of "= p": a site more never
    /// lowers the coverage nor breaks a group.
    /// Columns 0..<columnCount are x, the next rowCount are z.
    static func mclpModel(_ s: CoverSets, p: Int) -> MIPModel {
        var m = MIPModel(sense: .maximize)
        for _ in 0..<s.columnCount { m.addColumn(.binary) }
        let z0 = s.columnCount
        for r in 0..<s.rowCount { m.addColumn(.continuous, lower: 0, upper: 1, objective: s.rowWeight[r]) }
        for r in 0..<s.rowCount {
            var terms: [(column: Int, coefficient: Double)] = [(z0 + r, 1)]
            for c in s.cols(ofRow: r) { terms.append((Int(c), -1)) }
            m.addRow(terms, .lessOrEqual, 0)
        }
        m.addRow(ones: 0..<s.columnCount, .lessOrEqual, Double(p))
        addGroupRows(&m, s)
        return m
    }

    /// One row per group that still needs sites: Σ_{j in the group} x_j ≥ need.
    static func addGroupRows(_ m: inout MIPModel, _ s: CoverSets) {
        for (g, need) in s.groupNeed.enumerated() where need > 0 {
            m.addRow(ones: (0..<s.columnCount).filter { s.columnGroup[$0] == g }, .greaterOrEqual, Double(need))
        }
    }

    /// Columns by decreasing value in an LP solution (ties: lower column first), among the first `count`.
    static func ranked(_ values: [Double], count: Int) -> [Int] {
        (0..<count).sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
    }

    /// Columns with value ≥ 0.5 among the first `count`.
    static func chosen(_ values: [Double], count: Int) -> [Int] {
        (0..<count).filter { values[$0] > 0.5 }
    }
}
