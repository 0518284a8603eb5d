/// The location models (domain-facts §7).
public enum SitingModel: String, CaseIterable, Hashable, Sendable {
    /// Location set covering: the fewest sites covering every coverable demand point.
    case lscp
    /// Maximal covering: p sites covering the most demand weight.
    case mclp
    /// p-median: p sites minimising Σ weight × distance to the nearest open site.
    case pmedian
    /// p-center: p sites minimising the largest distance from a demand point to its nearest open site.
    case pcenter
}

/// A model with its parameters. Demand i is covered by site j iff `distance(i, j) <= radiusMeters`.
public struct SitingProblem: Hashable, Sendable {
    public var model: SitingModel
    /// Number of open sites, fixed ones included (MCLP, p-median, p-center).
    public var p: Int?
    /// Service radius in metres (LSCP, MCLP; optional for p-median and p-center, where it only
    /// decides what the result reports as covered).
    public var radiusMeters: Double?

    public init(model: SitingModel, p: Int? = nil, radiusMeters: Double? = nil) {
        self.model = model
        self.p = p
        self.radiusMeters = radiusMeters
    }

    /// - Throws: `SitingError.invalidProblem` when a parameter the model needs is missing or invalid.
    public func validate() throws(SitingError) {
        if let p, p < 0 { throw .invalidProblem(reason: "p must be ≥ 0, got \(p)") }
        if let r = radiusMeters, !(r.isFinite && r >= 0) { throw .invalidProblem(reason: "the radius must be a number of metres ≥ 0, got \(r)") }
        switch model {
        case .lscp:
            if radiusMeters == nil { throw .invalidProblem(reason: "lscp needs a radius (--radius M)") }
        case .mclp:
            if radiusMeters == nil { throw .invalidProblem(reason: "mclp needs a radius (--radius M)") }
            if p == nil { throw .invalidProblem(reason: "mclp needs the number of sites (--p N)") }
        case .pmedian, .pcenter:
            if p == nil { throw .invalidProblem(reason: "\(model.rawValue) needs the number of sites (--p N)") }
        }
    }
}

public enum SitingEngine: String, CaseIterable, Hashable, Sendable {
    /// CBC on the reduced model: proven optima (or the best so far at the time limit).
    case exact
    /// Greedy + interchange heuristics with a valid bound (LP relaxation or Lagrangian) and the gap.
    case fast
}

public struct SitingOptions: Hashable, Sendable {
    public var engine: SitingEngine
    /// Wall-clock limit for the solve, seconds.
    public var timeLimitSeconds: Double?
    public var threads: Int
    /// Let CBC print its log (to stdout).
    public var solverLog: Bool

    public init(engine: SitingEngine = .exact, timeLimitSeconds: Double? = nil, threads: Int = 1, solverLog: Bool = false) {
        self.engine = engine
        self.solverLog = solverLog
        self.timeLimitSeconds = timeLimitSeconds
        self.threads = threads
    }
}

/// The outcome of a siting run. Every normal outcome (infeasible, time limit) is a status here.
public struct SitingResult: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        /// Proven optimal.
        case optimal
        /// A valid solution whose optimality is not proven; `gap` says how far it may be from optimal.
        case feasible
        /// No solution exists, with the reason.
        case infeasible(reason: String)
        /// Stopped at the time limit; the result holds the best solution found so far (if any).
        case timeLimit

        /// `optimal`, `feasible`, `infeasible` or `time_limit`.
        public var name: String {
            switch self {
            case .optimal: "optimal"
            case .feasible: "feasible"
            case .infeasible: "infeasible"
            case .timeLimit: "time_limit"
            }
        }

        public var reason: String? { if case .infeasible(let r) = self { r } else { nil } }
    }

    public struct Timings: Hashable, Sendable {
        /// Coverage sets, reductions and model building, seconds.
        public var buildSeconds: Double = 0
        /// Heuristics and the MIP solver, seconds.
        public var solveSeconds: Double = 0
        public init(buildSeconds: Double = 0, solveSeconds: Double = 0) {
            self.buildSeconds = buildSeconds
            self.solveSeconds = solveSeconds
        }
    }

    public var model: SitingModel
    public var engine: SitingEngine
    public var status: Status
    /// Open sites (fixed ones included), candidate indices ascending.
    public var selected: [Int]
    /// Their candidate ids.
    public var selectedIDs: [String]
    /// LSCP: the number of sites; MCLP: the covered weight; p-median: Σ weight × distance to the nearest
    /// open site; p-center: the largest distance to the nearest open site (metres). Recomputed from
    /// `selected` on the instance, not taken from the solver. Nil when there is no solution.
    public var objective: Double?
    /// Weight of the demand within the radius of an open site (nil without a radius).
    public var coveredWeight: Double?
    public var totalWeight: Double
    /// 100 × covered / total weight (nil without a radius).
    public var coveragePct: Double?
    /// A proven bound on the optimum (lower for minimising models, upper for MCLP).
    public var bound: Double?
    /// |objective − bound| / |objective| (0 when proven optimal).
    public var gap: Double?
    /// Demand points (indices) that no usable candidate covers: LSCP leaves them out, MCLP can never cover them.
    public var uncoverable: [Int]
    public var timings: Timings
    /// Reductions and other facts worth telling (rows merged, candidates dominated...).
    public var notes: [String]
}

extension SitingResult {
    static func relativeGap(objective: Double?, bound: Double?) -> Double? {
        guard let o = objective, let b = bound else { return nil }
        let d = abs(o - b)
        if d <= 1e-9 * max(1, abs(o)) { return 0 }
        return abs(o) > 0 ? d / abs(o) : .infinity
    }
}
