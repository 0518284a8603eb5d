internal import SpatialCore

/// p-median: heuristics, a Lagrangian bound, and the exact method.
///
/// Exact method: the "radius" formulation of Cornuéjols–Nemhauser–Wolsey / Elloumi (2010), which has
/// the LP bound of the classical assignment formulation with far fewer nonzeros. For demand i with
/// distinct candidate distances D_1 < D_2 < …, z_ik = 1 when no open site lies within D_k:
///
///     min Σ_i a_i (D_i1 + Σ_k (D_i,k+1 − D_ik) z_ik)
///     s.t. z_i1 + Σ_{j: d_ij = D_i1} y_j ≥ 1,   z_ik − z_i,k−1 + Σ_{j: d_ij = D_ik} y_j ≥ 0,   Σ_j y_j = p
///
/// Only the first K_i levels of each demand are modelled, which caps its cost at D_iK: a relaxation.
/// Its optimum y* is optimal for the full problem when no demand's nearest open site lies beyond its
/// cap; otherwise the caps of those demands grow and CBC solves again. The caps start at each demand's
/// distance in a good heuristic solution, so the first relaxation is usually already exact.
struct PMedianData {
    let inst: SitingInstance
    /// Demand points with weight > 0.
    let demands: [Int]
    /// For each such demand, the usable candidates sorted by distance (ties: lower index first).
    let order: [[Int32]]
    let usable: [Int]
    let isFixed: [Bool]

    init(_ inst: SitingInstance) {
        self.inst = inst
        let demands = (0..<inst.demandCount).filter { inst.weights[$0] > 0 }
        self.demands = demands
        usable = inst.usableCandidates
        var f = [Bool](repeating: false, count: inst.candidateCount)
        for j in inst.fixed { f[j] = true }
        isFixed = f
        let m = inst.candidateCount
        let usable32 = inst.usableCandidates.map { Int32($0) }
        order = inst.distances.withUnsafeBufferPointer { d in
            demands.map { i in
                let row = d.baseAddress! + i * m
                return usable32.sorted { row[Int($0)] != row[Int($1)] ? row[Int($0)] < row[Int($1)] : $0 < $1 }
            }
        }
    }

    /// Σ a_i min_{j∈open} d_ij.
    func cost(_ open: [Int]) -> Double {
        var total = 0.0
        for i in demands {
            var best = Double.infinity
            for j in open { best = min(best, inst.distance(i, j)) }
            total += inst.weights[i] * best
        }
        return total
    }

    // MARK: heuristic

    /// Greedy addition, then a fast interchange (for each closed candidate, the best open site to swap it
    /// with, using nearest and second-nearest distances), until no swap lowers the cost.
    func heuristic(p: Int, from initial: [Int]? = nil, deadline: ContinuousClock.Instant?) -> [Int] {
        let inst = self.inst
        let n = demands.count
        let w = demands.map { inst.weights[$0] }
        var open = initial ?? inst.fixed
        var isOpen = [Bool](repeating: false, count: inst.candidateCount)
        for j in open { isOpen[j] = true }
        let free = usable.filter { !isFixed[$0] }
        var d1 = [Double](repeating: .infinity, count: n)
        for (k, i) in demands.enumerated() { for j in open { d1[k] = min(d1[k], inst.distance(i, j)) } }
        // greedy
        while open.count < p, open.count < usable.count {
            var best = -1, bestCost = Double.infinity
            for j in free where !isOpen[j] {
                var c = 0.0
                for (k, i) in demands.enumerated() { c += w[k] * min(d1[k], inst.distance(i, j)) }
                if c < bestCost { bestCost = c; best = j }
            }
            open.append(best)
            isOpen[best] = true
            for (k, i) in demands.enumerated() { d1[k] = min(d1[k], inst.distance(i, best)) }
        }
        // interchange
        var improved = true
        var owner = [Int](repeating: -1, count: n)
        var d2 = [Double](repeating: .infinity, count: n)
        func assign() {
            for (k, i) in demands.enumerated() {
                var a = Double.infinity, b = Double.infinity, o = -1
                for j in open {
                    let d = inst.distance(i, j)
                    if d < a { b = a; a = d; o = j } else if d < b { b = d }
                }
                d1[k] = a
                d2[k] = b
                owner[k] = o
            }
        }
        assign()
        var lossByOwner = [Double](repeating: 0, count: inst.candidateCount)
        while improved {
            improved = false
            for j in free where !isOpen[j] {
                if let deadline, ContinuousClock.now >= deadline { return open.sorted() }
                // adding j: gain Σ a (d1 − min(d_ij, d1)); removing o: extra Σ_{owner=o} a (min(d_ij, d2) − min(d_ij, d1))
                var addGain = 0.0
                for o in open { lossByOwner[o] = 0 }
                for (k, i) in demands.enumerated() {
                    let d = inst.distance(i, j)
                    if d < d1[k] {
                        addGain += w[k] * (d1[k] - d)
                    } else {
                        lossByOwner[owner[k]] += w[k] * (min(d, d2[k]) - d1[k])
                    }
                }
                var bestO = -1, bestDelta = 1e-9 * max(1, addGain)
                for o in open where !isFixed[o] {
                    let delta = addGain - lossByOwner[o]
                    if delta > bestDelta { bestDelta = delta; bestO = o }
                }
                if bestO >= 0 {
                    open.removeAll { $0 == bestO }
                    isOpen[bestO] = false
                    open.append(j)
                    isOpen[j] = true
                    assign()
                    improved = true
                }
            }
        }
        return open.sorted()
    }

    // MARK: Lagrangian bound

    struct Lagrangian {
        /// The best bound found (a valid lower bound on the optimum).
        var bound: Double
        /// ρ_j at the multipliers of that bound (0 for excluded candidates).
        var rho: [Double]
        var iterations: Int
        /// The best solution found on the way and its cost (the start and its cost when nothing better).
        var best: [Int]
        var upper: Double
    }

    /// Relaxes "each demand is assigned once" with multipliers λ: L(λ) = Σ λ_i + Σ_{p best j} ρ_j,
    /// ρ_j = Σ_i min(0, a_i d_ij − λ_i) (fixed sites always counted). Subgradient steps towards `upper`
    /// (Beasley's rule). Any λ gives a valid lower bound; the best one is kept.
    /// Every 10 steps the relaxation's chosen sites, improved by interchange, may lower `upper`
    /// (returned with the sites in `improved`).
    func lagrangian(p: Int, upper startUpper: Double, start: [Int], maxIterations: Int = 3000, deadline: ContinuousClock.Instant?) -> Lagrangian {
        var upper = startUpper
        let inst = self.inst
        let n = demands.count
        let w = demands.map { inst.weights[$0] }
        // λ_i starts at a_i × distance to the nearest site of the start solution
        var lambda = demands.map { i in inst.weights[i] * start.map { inst.distance(i, $0) }.min()! }
        var best = -Double.infinity
        var bestRho = [Double](repeating: 0, count: inst.candidateCount)
        var theta = 2.0, stall = 0, iterations = 0
        var rho = [Double](repeating: 0, count: inst.candidateCount)
        var g = [Double](repeating: 0, count: n)
        let free = usable.filter { !isFixed[$0] }
        let need = max(0, p - inst.fixed.count)
        var open = [Bool](repeating: false, count: inst.candidateCount)
        var incumbent = start
        while iterations < maxIterations {
            iterations += 1
            if let deadline, ContinuousClock.now >= deadline { break }
            for j in usable { rho[j] = 0 }
            for k in 0..<n {
                let lam = lambda[k], a = w[k], i = demands[k]
                for j in order[k] {  // distance order: stop at the first with a·d ≥ λ
                    let v = a * inst.distance(i, Int(j)) - lam
                    if v >= 0 { break }
                    rho[Int(j)] += v
                }
            }
            var chosen = inst.fixed
            let ranked = free.sorted { rho[$0] != rho[$1] ? rho[$0] < rho[$1] : $0 < $1 }
            chosen.append(contentsOf: ranked.prefix(need))
            var value = lambda.reduce(0, +)
            for j in chosen { value += rho[j] }
            do {
                let c = cost(chosen)
                if c < upper || (iterations % 10 == 1 && c < upper * (1 + 1e-3)) {  // worth polishing
                    let polished = heuristic(p: p, from: chosen, deadline: deadline)
                    let pc = cost(polished)
                    if pc < upper { upper = pc; incumbent = polished }
                }
            }
            if value > best + 1e-12 * abs(value) || best == -.infinity {
                best = value
                bestRho = rho
                stall = 0
            } else {
                stall += 1
                if stall >= 30 { theta /= 2; stall = 0 }
            }
            if best >= upper * (1 - 1e-9) || theta < 1e-4 { break }
            var norm = 0.0
            for j in chosen { open[j] = true }
            for k in 0..<n {
                var assigned = 0.0
                let i = demands[k]
                for j in order[k] {
                    if w[k] * inst.distance(i, Int(j)) - lambda[k] >= 0 { break }
                    if open[Int(j)] { assigned += 1 }
                }
                g[k] = 1 - assigned
                norm += g[k] * g[k]
            }
            for j in chosen { open[j] = false }
            if norm == 0 { break }  // the relaxed solution is feasible: L is its cost
            let step = theta * 1.05 * (upper - value) / norm
            for k in 0..<n { lambda[k] = max(0, lambda[k] + step * g[k]) }
        }
        return Lagrangian(bound: min(best, upper), rho: bestRho, iterations: iterations, best: incumbent, upper: upper)
    }

    /// Lagrangian reduced-cost fixing: a free candidate whose opening (in place of the worst chosen one)
    /// lifts the bound above `upper` is closed in every solution better than `upper`; one whose closing
    /// does is open in all of them. Returns the candidates that stay free and those forced open.
    func fixByReducedCost(_ lag: Lagrangian, p: Int, upper: Double) -> (keep: [Int], forcedOpen: [Int]) {
        let free = usable.filter { !isFixed[$0] }
        let need = p - inst.fixed.count
        guard need > 0, need < free.count else { return (usable, []) }
        let ranked = free.sorted { lag.rho[$0] != lag.rho[$1] ? lag.rho[$0] < lag.rho[$1] : $0 < $1 }
        let worstChosen = lag.rho[ranked[need - 1]], firstOut = lag.rho[ranked[need]]
        let margin = upper * (1 + 1e-9) + 1e-6
        var keep = inst.fixed, forced: [Int] = []
        for (r, j) in ranked.enumerated() {
            if r < need {
                if lag.bound - lag.rho[j] + firstOut > margin { forced.append(j) }
                keep.append(j)
            } else if lag.bound - worstChosen + lag.rho[j] <= margin {
                keep.append(j)
            }
        }
        return (keep.sorted(), forced)
    }

    // MARK: exact

    struct Exact {
        var selected: [Int]
        var cost: Double
        var bound: Double
        var proven: Bool
        var timedOut: Bool
        var iterations: Int
        var rows: Int
    }

    /// The capped radius formulation solved by CBC, caps grown until the relaxation is exact.
    /// - Parameters:
    ///   - candidates: the candidates that may be open (after reduced-cost fixing), fixed ones included.
    ///   - forcedOpen: candidates proven open in every optimal solution.
    func exact(
        p: Int, start: [Int], candidates: [Int], forcedOpen: [Int], options: MIPOptions, deadline: ContinuousClock.Instant?,
        capFactor: Double = 1.5
    ) throws(SitingError) -> Exact {
        let inst = self.inst
        let m = inst.candidateCount
        var incumbent = start, upper = cost(start)
        // cap level (count of distinct distances modelled) per demand: up to its distance in `start`
        // (× capFactor, so that leaving a demand at its cap costs more than serving it as `start` does)
        var capDistance = demands.map { i in capFactor * start.map { inst.distance(i, $0) }.min()! }
        var lower = -Double.infinity
        var iterations = 0, rows = 0
        while true {
            iterations += 1
            var model = MIPModel(sense: .minimize)
            var column = [Int](repeating: -1, count: m)
            for j in candidates {
                column[j] = model.addColumn(.binary)
                if isFixed[j] { model.setBounds(column: column[j], lower: 1, upper: 1) }
            }
            for j in forcedOpen { model.setBounds(column: column[j], lower: 1, upper: 1) }
            model.addRow(ones: candidates.map { column[$0] }, .equal, Double(p))
            var constant = 0.0
            for (k, i) in demands.enumerated() {
                let a = inst.weights[i]
                let list = order[k].filter { column[Int($0)] >= 0 }
                var pos = 0
                var level = 0
                var previousZ = -1
                while pos < list.count {
                    let d = inst.distance(i, Int(list[pos]))
                    var ys: [Int] = []
                    var levelHasFixed = false
                    while pos < list.count, inst.distance(i, Int(list[pos])) == d {
                        ys.append(column[Int(list[pos])])
                        if isFixed[Int(list[pos])] { levelHasFixed = true }
                        pos += 1
                    }
                    level += 1
                    if level == 1 { constant += a * d }
                    // the cap: a fixed site at this level, the last level, or the cap distance reached
                    if levelHasFixed || pos >= list.count || d >= capDistance[k] { break }
                    let next = inst.distance(i, Int(list[pos]))
                    let z = model.addColumn(.continuous, lower: 0, upper: 1, objective: a * (next - d))
                    var extra: [(column: Int, coefficient: Double)] = [(z, 1)]
                    if previousZ >= 0 { extra.append((previousZ, -1)) }
                    model.addRow(ones: ys, plus: extra, .greaterOrEqual, previousZ >= 0 ? 0 : 1)
                    previousZ = z
                }
            }
            rows = model.rowCount
            var o = options
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline)
                let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) * 1e-18
                if seconds <= 0 {
                    return Exact(selected: incumbent, cost: upper, bound: max(lower, 0), proven: false, timedOut: true, iterations: iterations, rows: rows)
                }
                o.timeLimitSeconds = seconds
            }
            o.start = incumbent.map { (column[$0], 1.0) }

            let s: MIPSolution
            do { s = try MIPSolver.solve(model, options: o) } catch { throw .solver(error) }
            if let b = s.bound { lower = max(lower, b + constant) }
            guard s.hasSolution else {
                return Exact(selected: incumbent, cost: upper, bound: max(lower, 0), proven: false, timedOut: s.status == .timeLimit, iterations: iterations, rows: rows)
            }
            let open = candidates.filter { s.values[column[$0]] > 0.5 }
            let c = cost(open)
            if c < upper { upper = c; incumbent = open }
            if s.status != .optimal {
                return Exact(selected: incumbent, cost: upper, bound: max(lower, 0), proven: false, timedOut: true, iterations: iterations, rows: rows)
            }
            // the relaxation's optimum is a lower bound; exact when no demand exceeds its cap
            var grown = false
            for (k, i) in demands.enumerated() {
                let dist = open.map { inst.distance(i, $0) }.min()!
                if dist > capDistance[k] {
                    capDistance[k] = capFactor * dist
                    grown = true
                }
            }
            if !grown || upper <= lower * (1 + 1e-12) {
                return Exact(selected: incumbent, cost: upper, bound: min(upper, lower), proven: true, timedOut: false, iterations: iterations, rows: rows)
            }
        }
    }
}
