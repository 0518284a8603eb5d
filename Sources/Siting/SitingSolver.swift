internal import SpatialCore

/// Solves a siting problem on an instance, exactly (CBC on the reduced model) or fast (heuristics
/// with a bound). Never throws for an outcome of the model: infeasible problems and time limits are
/// statuses of the result.
public enum SitingSolver {
    /// - Throws: `SitingError.invalidProblem` for missing or invalid parameters, `.solver` when CBC
    ///   fails for numerical reasons.
    public static func solve(_ inst: SitingInstance, _ problem: SitingProblem, options: SitingOptions = SitingOptions())
        throws(SitingError) -> SitingResult
    {
        try problem.validate()
        if !inst.groups.isEmpty, problem.model != .mclp {
            throw .invalidProblem(reason: "groups (a minimum of sites per group of candidates) are supported for mclp only, not \(problem.model.rawValue)")
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        let deadline = options.timeLimitSeconds.map { t0 + .milliseconds(Int64(($0 * 1000).rounded())) }
        var run = Run(inst: inst, problem: problem, options: options, deadline: deadline, started: t0)
        switch problem.model {
        case .lscp: try run.lscp()
        case .mclp: try run.mclp()
        case .pmedian: try run.pmedian()
        case .pcenter: try run.pcenter()
        }
        return run.result()
    }
}

/// One solve: collects the outcome, then `result()` recomputes objective and coverage from the sites.
struct Run {
    let inst: SitingInstance
    let problem: SitingProblem
    let options: SitingOptions
    let deadline: ContinuousClock.Instant?
    let started: ContinuousClock.Instant

    var status: SitingResult.Status = .optimal
    var selected: [Int] = []
    var bound: Double?
    var uncoverable: [Int] = []
    var notes: [String] = []
    var buildSeconds = 0.0
    var buildEnd: ContinuousClock.Instant?

    init(inst: SitingInstance, problem: SitingProblem, options: SitingOptions, deadline: ContinuousClock.Instant?, started: ContinuousClock.Instant) {
        self.inst = inst
        self.problem = problem
        self.options = options
        self.deadline = deadline
        self.started = started
    }

    var exact: Bool { options.engine == .exact }

    func mipOptions(relax: Bool = false) -> MIPOptions {
        var o = MIPOptions(timeLimitSeconds: secondsLeft, threads: options.threads, relaxIntegrality: relax)
        o.relativeGap = 0
        o.log = options.solverLog
        return o
    }

    var secondsLeft: Double? {
        guard let deadline else { return nil }
        let d = ContinuousClock.now.duration(to: deadline)
        return max(0, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }

    var timeIsUp: Bool { deadline.map { ContinuousClock.now >= $0 } ?? false }

    mutating func built() {
        let now = ContinuousClock.now
        buildEnd = now
        let d = started.duration(to: now)
        buildSeconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    func solveMIP(_ m: MIPModel, start: [(column: Int, value: Double)] = [], relax: Bool = false,
                  parameters: [(name: String, value: String)] = []) throws(SitingError) -> MIPSolution {
        var o = mipOptions(relax: relax)
        o.start = start
        o.parameters = parameters
        do { return try MIPSolver.solve(m, options: o) } catch { throw .solver(error) }
    }

    /// p of the problem, checked against the fixed and usable candidates; nil (and status set) when infeasible.
    mutating func checkedP() -> Int? {
        let p = problem.p!
        let usable = inst.candidateCount - inst.excluded.count
        if p < inst.fixed.count {
            status = .infeasible(reason: "p = \(p) is less than the \(inst.fixed.count) fixed sites")
            return nil
        }
        if p > usable {
            status = .infeasible(reason: "p = \(p) is more than the \(usable) candidates that may be opened")
            return nil
        }
        if p == 0 && inst.demandCount > 0 && problem.model != .mclp {
            status = .infeasible(reason: "p = 0: no site can serve the demand")
            return nil
        }
        return p
    }

    // MARK: LSCP

    mutating func lscp() throws(SitingError) {
        let s0 = CoverSets(inst, radius: problem.radiusMeters!, dropZeroWeight: false)
        uncoverable = s0.uncoverable
        notes += s0.notes
        if !s0.uncoverable.isEmpty {
            notes.append("\(s0.uncoverable.count) demand points no candidate covers within the radius are left out")
        }
        // set-cover reductions, then the Lagrangian heuristic and two-for-one swaps: often optimal and proven so
        let reduction = CoverReduction(s0)
        let s = reduction.reduced
        notes += reduction.notes
        let base = inst.fixed + reduction.forced
        if s.rowCount == 0 {
            built()
            selected = base
            bound = Double(base.count)
            return
        }
        built()
        let greedy = Covering.improveCover(s, Covering.greedyCover(s), deadline: deadline)
        let lag = CoverLagrangian(s, start: greedy, deadline: deadline)
        var best = Covering.improveCover(s, lag.best, deadline: deadline)
        var lower = (lag.bound - 1e-6).rounded(.up)
        notes.append("Lagrangian bound \(Self.rounded(lag.bound)) after \(lag.iterations) steps, cover of \(best.count)")
        func finish(_ cover: [Int], lower: Double, status: SitingResult.Status) {
            selected = base + cover.map { s.columns[$0] }
            bound = Double(base.count) + lower
            self.status = lower >= Double(cover.count) ? .optimal : status
        }
        if lower >= Double(best.count) || timeIsUp {
            finish(best, lower: min(lower, Double(best.count)), status: timeIsUp ? .timeLimit : .feasible)
            return
        }
        if !exact {
            // the LP relaxation's bound (at least the Lagrangian one in theory) and two LP-guided covers
            let lp = try solveMIP(Covering.lscpModel(s), relax: true)
            if let v = lp.objective { lower = max(lower, (v - 1e-6).rounded(.up)) }
            if lp.hasSolution {
                for cover in [Covering.greedyCover(s, initial: (0..<s.columnCount).filter { lp.values[$0] > 1 - 1e-6 }),
                              Covering.roundedCover(s, lp: lp.values)] {
                    let c = Covering.improveCover(s, cover, deadline: deadline)
                    if c.count < best.count { best = c }
                }
            }
            finish(best, lower: min(lower, Double(best.count)), status: timeIsUp ? .timeLimit : .feasible)
            return
        }
        // Exact: look for a cover smaller than the best one. Lagrangian reduced-cost fixing: a column whose reduced cost
        // lifts the bound to the best cover's size cannot be in a smaller cover; one whose absence does must be in it.
        let upper = Double(best.count)
        var keep: [Int] = [], mustOpen: [Int] = []
        for c in 0..<s.columnCount {
            let r = lag.reducedCosts[c]
            if r > 0, lag.bound + r - 1e-6 > upper - 1 { continue }
            if r < 0, lag.bound - r - 1e-6 > upper - 1 { mustOpen.append(keep.count) }
            keep.append(c)
        }
        var position = [Int32](repeating: -1, count: s.columnCount)
        for (k, c) in keep.enumerated() { position[c] = Int32(k) }
        var lists: [[Int32]] = []
        for r in 0..<s.rowCount {
            let l = s.cols(ofRow: r).compactMap { position[Int($0)] >= 0 ? position[Int($0)] : nil }
            if l.isEmpty {  // a row no remaining column covers: no smaller cover exists
                notes.append("reduced-cost fixing: no cover smaller than \(best.count) can exist")
                finish(best, lower: upper, status: .optimal)
                return
            }
            lists.append(l)
        }
        let sub = CoverSets(covering: lists, columns: keep, like: s)
        notes.append("reduced-cost fixing: \(keep.count) of \(s.columnCount) candidates stay, \(mustOpen.count) forced open")
        var model = Covering.lscpModel(sub)
        for c in mustOpen { model.setBounds(column: c, lower: 1, upper: 1) }
        model.addRow(ones: 0..<sub.columnCount, .lessOrEqual, upper - 1)  // only a smaller cover helps
        let sol = try solveMIP(model)
        switch sol.status {
        case .infeasible:
            finish(best, lower: upper, status: .optimal)
        case .optimal, .feasible, .timeLimit:
            let found = Covering.chosen(sol.values, count: sub.columnCount).map { keep[$0] }
            if sol.hasSolution, found.count < best.count { best = found }
            if sol.status == .optimal {
                finish(best, lower: Double(best.count), status: .optimal)
            } else {
                let b = sol.bound.map { ($0 - 1e-6).rounded(.up) } ?? lower
                finish(best, lower: min(max(lower, b), Double(best.count)), status: sol.status == .timeLimit ? .timeLimit : .feasible)
            }
        case .unbounded:
            status = .infeasible(reason: "CBC found the relaxation unbounded")
        }
    }

    static func rounded(_ v: Double) -> String { String(Double(Int((v * 1000).rounded())) / 1000) }

    // MARK: MCLP

    /// Whether the groups can be satisfied with `p` sites; false (and the status infeasible, naming the groups) when not.
    mutating func checkedGroups(p: Int) -> Bool {
        guard !inst.groups.isEmpty else { return true }
        let needs = inst.groupNeeds
        var blocked = Set(inst.fixed)
        blocked.formUnion(inst.excluded)
        for (g, group) in inst.groups.enumerated() where needs[g] > 0 {
            let openable = group.candidates.filter { !blocked.contains($0) }.count
            if openable < needs[g] {
                status = .infeasible(reason: "\(group.name) needs \(needs[g]) site(s) more but has \(openable) candidate(s) that may be opened")
                return false
            }
        }
        let free = p - inst.fixed.count, total = needs.reduce(0, +)
        if total > free {
            let list = inst.groups.indices.filter { needs[$0] > 0 }.map { needs[$0] == 1 ? inst.groups[$0].name : "\(inst.groups[$0].name) (\(needs[$0]))" }
            let fixedText = inst.fixed.isEmpty ? "" : " beside the \(inst.fixed.count) fixed"
            status = .infeasible(reason: "p = \(p) leaves \(free) site(s) to open\(fixedText), fewer than the \(total) the groups require: \(list.joined(separator: ", "))")
            return false
        }
        notes.append("\(needs.filter { $0 > 0 }.count) of \(inst.groups.count) groups need sites (\(total) in all)")
        return true
    }

    mutating func mclp() throws(SitingError) {
        guard let p = checkedP(), checkedGroups(p: p) else { built(); return }
        let s = CoverSets(inst, radius: problem.radiusMeters!, dropZeroWeight: true)
        uncoverable = s.uncoverable
        notes += s.notes
        let free = p - inst.fixed.count
        if free >= s.columnCount {
            built()
            selected = inst.fixed + s.columns
            bound = s.fixedCoveredWeight + s.rowWeight.reduce(0, +)
            pad(to: p)
            return
        }
        let model = Covering.mclpModel(s, p: free)
        built()
        let coverable = s.rowWeight.reduce(0, +)
        let slack = 1e-9 * max(1, coverable)
        let greedy = Covering.greedyMaxCover(s, p: free, deadline: deadline)
        if s.weight(of: greedy) >= coverable - slack {  // every coverable demand point covered: nothing does better
            selected = inst.fixed + greedy.map { s.columns[$0] }
            bound = coverable + s.fixedCoveredWeight
            notes.append("the greedy sites cover every demand point any candidate covers")
            pad(to: p)
            return
        }
        if exact {
            let sol = try solveMIP(model, start: greedy.map { ($0, 1) }, parameters: Self.mclpParameters)
            take(sol, columns: s.columns, count: s.columnCount, fallback: greedy)
            bound = sol.bound.map { $0 + s.fixedCoveredWeight }
        } else {
            // no LP here: CBC takes 80-100 ms for the relaxation of the 523 × 953 reference instance, the Lagrangian
            // relaxation gives a bound (the LP's in the limit) and further starts for the swap search in a few ms
            var best = greedy, upper = coverable
            if s.groupNeed.allSatisfy({ $0 == 0 }), !timeIsUp {
                let lag = MaxCoverLagrangian(s, p: free, start: greedy, maxIterations: 200, deadline: deadline)
                if lag.bestWeight > s.weight(of: best) { best = lag.best }
                upper = min(upper, lag.bound)
            } else {
                let lp = try solveMIP(model, relax: true)  // groups: the LP relaxation's bound and start
                upper = lp.objective ?? coverable
                if lp.hasSolution {
                    let start = Array(Covering.ranked(lp.values, count: s.columnCount).prefix(free))
                    let guided = Covering.greedyMaxCover(s, p: free, initial: start, deadline: deadline)
                    if s.weight(of: guided) > s.weight(of: best) { best = guided }
                }
            }
            selected = inst.fixed + best.map { s.columns[$0] }
            bound = upper + s.fixedCoveredWeight
            status = timeIsUp ? .timeLimit : .feasible
        }
        pad(to: p)
    }

    /// CBC's cut generation costs more than it gains on the MCLP models (the reference instances take longer with the
    /// default cuts), so it is off; branching and CBC's own heuristics stay.
    static let mclpParameters = [(name: "cuts", value: "off")]

    /// Takes a CBC solution over the first `count` columns (candidate indices in `columns`).
    mutating func take(_ sol: MIPSolution, columns: [Int], count: Int, fallback: [Int]) {
        let chosen = sol.hasSolution ? Covering.chosen(sol.values, count: count) : fallback
        selected = inst.fixed + chosen.map { columns[$0] }
        switch sol.status {
        case .optimal: status = .optimal
        case .timeLimit: status = .timeLimit
        case .feasible: status = .feasible
        case .infeasible: status = .infeasible(reason: "CBC proved the model infeasible")
        case .unbounded: status = .infeasible(reason: "CBC found the relaxation unbounded")
        }
    }

    /// Adds sites until there are p (a model with "Σ y = p" where fewer already reach the optimum): each
    /// time the usable candidate nearest to the demand point farthest from every open site.
    mutating func pad(to p: Int) {
        var open = Set(selected)
        let usable = inst.usableCandidates
        guard open.count < p, usable.count >= p else { return }
        var near = (0..<inst.demandCount).map { i in open.map { inst.distance(i, $0) }.min() ?? .infinity }
        while open.count < p {
            let far = near.indices.max { near[$0] < near[$1] } ?? 0
            let j = usable.filter { !open.contains($0) }.min {
                inst.demandCount == 0 ? $0 < $1 : inst.distance(far, $0) < inst.distance(far, $1)
            }!
            open.insert(j)
            for i in 0..<inst.demandCount { near[i] = min(near[i], inst.distance(i, j)) }
        }
        selected = Array(open)
    }

    // MARK: p-median

    mutating func pmedian() throws(SitingError) {
        guard let p = checkedP() else { built(); return }
        let data = PMedianData(inst)
        built()
        if data.demands.isEmpty {
            selected = inst.fixed
            pad(to: p)
            bound = 0
            return
        }
        let greedy = data.heuristic(p: p, deadline: deadline)
        let lag = data.lagrangian(p: p, upper: data.cost(greedy), start: greedy, deadline: deadline)
        let heuristic = lag.best, upper = lag.upper
        if exact, lag.bound < upper * (1 - 1e-12) {
            let (keep, forced) = data.fixByReducedCost(lag, p: p, upper: upper)
            notes.append("Lagrangian bound \(lag.bound) after \(lag.iterations) steps: \(keep.count) of \(data.usable.count) candidates stay, \(forced.count) forced open")
            let e = try data.exact(p: p, start: heuristic, candidates: keep, forcedOpen: forced, options: mipOptions(), deadline: deadline)
            selected = e.selected
            bound = max(e.bound, lag.bound)
            status = e.proven ? .optimal : (e.timedOut ? .timeLimit : .feasible)
            notes.append("radius formulation: \(e.rows) rows, \(e.iterations) CBC solve(s)")
        } else {
            selected = heuristic
            bound = lag.bound
            status = timeIsUp ? .timeLimit : (lag.bound >= upper * (1 - 1e-12) ? .optimal : .feasible)
        }
    }

    // MARK: p-center

    mutating func pcenter() throws(SitingError) {
        guard let p = checkedP() else { built(); return }
        let usable = inst.usableCandidates
        let m = inst.candidateCount
        // lower bound: every demand's nearest usable site
        var lower = 0.0
        for i in 0..<inst.demandCount {
            var best = Double.infinity
            for j in usable { best = min(best, inst.distance(i, j)) }
            lower = max(lower, best)
        }
        // the distinct distances in [lower, ∞), sorted: the optimum is one of them
        var values: [Double] = []
        inst.distances.withUnsafeBufferPointer { d in
            var isUsable = [Bool](repeating: false, count: m)
            for j in usable { isUsable[j] = true }
            for k in 0..<d.count where isUsable[k % m] && d[k] >= lower { values.append(d[k]) }
        }
        values.sort()
        var unique: [Double] = []
        for v in values where unique.last != v { unique.append(v) }
        built()
        let free = p - inst.fixed.count
        if unique.isEmpty {  // no demand
            selected = inst.fixed
            bound = 0
            pad(to: p)
            return
        }
        // feasibility of a radius: is there a cover with ≤ free sites (besides the fixed ones)?
        func greedyFeasible(_ r: Double) -> [Int]? {
            let s = CoverSets(inst, radius: r, dropZeroWeight: false)
            if !s.uncoverable.isEmpty { return nil }
            let g = Covering.greedyCover(s)
            return g.count <= free ? g.map { s.columns[$0] } : nil
        }
        // upper end by greedy covers (binary search)
        var lo = 0, hi = unique.count - 1
        var best = greedyFeasible(unique[hi]) ?? usable
        while lo < hi {
            let mid = (lo + hi) / 2
            if let g = greedyFeasible(unique[mid]) { hi = mid; best = g } else { lo = mid + 1 }
        }
        let greedyIndex = hi
        if !exact {
            selected = inst.fixed + best
            // lower end by the LP relaxation of the cover: ceil(LP) > free proves the radius too small
            var a = 0, b = greedyIndex
            while a < b {
                if timeIsUp { break }
                let mid = (a + b) / 2
                let s = CoverSets(inst, radius: unique[mid], dropZeroWeight: false)
                let lp = try solveMIP(Covering.lscpModel(s), relax: true)
                if s.uncoverable.isEmpty, let v = lp.objective, (v - 1e-6).rounded(.up) <= Double(free) { b = mid } else { a = mid + 1 }
            }
            bound = unique[a]
            status = a == greedyIndex ? .optimal : .feasible
            pad(to: p)
            return
        }
        // exact: binary search below the greedy radius with the LSCP MIP
        lo = 0
        hi = greedyIndex
        var timedOut = false
        while lo < hi {
            let mid = (lo + hi) / 2
            let s = CoverSets(inst, radius: unique[mid], dropZeroWeight: false)
            if !s.uncoverable.isEmpty { lo = mid + 1; continue }
            let g = Covering.greedyCover(s)
            if g.count <= free { hi = mid; best = g.map { s.columns[$0] }; continue }
            if timeIsUp { timedOut = true; break }
            let sol = try solveMIP(Covering.lscpModel(s), start: g.map { ($0, 1) })
            if sol.status == .optimal, let v = sol.objective {
                if v.rounded() <= Double(free) {
                    hi = mid
                    best = Covering.chosen(sol.values, count: s.columnCount).map { s.columns[$0] }
                } else {
                    lo = mid + 1
                }
            } else if sol.status == .timeLimit, let b = sol.bound, (b - 1e-6).rounded(.up) > Double(free) {
                lo = mid + 1
            } else {
                timedOut = true
                break
            }
        }
        selected = inst.fixed + best
        bound = unique[lo]
        status = timedOut ? .timeLimit : .optimal
        pad(to: p)
    }

    // MARK: result

    func result() -> SitingResult {
        let solveSeconds: Double = {
            let d = (buildEnd ?? started).duration(to: ContinuousClock.now)
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }()
        let sites = Array(Set(selected)).sorted()
        let total = inst.totalWeight
        var objective: Double?
        var covered: Double?
        let hasSolution: Bool = { if case .infeasible = status { false } else { true } }()
        if hasSolution {
            var near = [Double](repeating: .infinity, count: inst.demandCount)
            for i in 0..<inst.demandCount { for j in sites { near[i] = min(near[i], inst.distance(i, j)) } }
            if let r = problem.radiusMeters {
                covered = (0..<inst.demandCount).reduce(0.0) { near[$1] <= r ? $0 + inst.weights[$1] : $0 }
            }
            switch problem.model {
            case .lscp: objective = Double(sites.count)
            case .mclp: objective = covered
            case .pmedian: objective = (0..<inst.demandCount).reduce(0.0) { inst.weights[$1] > 0 ? $0 + inst.weights[$1] * near[$1] : $0 }
            case .pcenter: objective = near.max() ?? 0
            }
        }
        var gap = SitingResult.relativeGap(objective: objective, bound: bound)
        var finalStatus = status
        if case .optimal = status { gap = 0 }
        if case .feasible = status, gap == 0 { finalStatus = .optimal }
        return SitingResult(
            model: problem.model, engine: options.engine, status: finalStatus, selected: hasSolution ? sites : [],
            selectedIDs: hasSolution ? sites.map { inst.candidateIDs[$0] } : [], objective: objective, coveredWeight: covered,
            totalWeight: total, coveragePct: covered.map { total > 0 ? 100 * $0 / total : 100 },
            bound: hasSolution ? bound : nil, gap: hasSolution ? gap : nil, uncoverable: uncoverable,
            timings: .init(buildSeconds: buildSeconds, solveSeconds: solveSeconds), notes: notes)
    }
}
