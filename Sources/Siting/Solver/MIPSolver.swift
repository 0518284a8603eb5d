// A small mixed-integer programming front end over COIN-OR CBC's C interface (Cbc_C_Interface.h).
// Models are Swift values; the only CBC object is the `CbcModel` handle below, created and freed
// inside one `MIPSolver.solve` call.
internal import CCbc
import Foundation
public import SpatialCore

/// A mixed-integer linear program: columns with bounds, objective coefficients and a kind, and rows
/// with sparse coefficients, a sense and a right-hand side.
///
/// ```swift
/// var m = MIPModel(sense: .maximize)
/// let x = m.addColumn(.binary, objective: 5), y = m.addColumn(.binary, objective: 4)
/// m.addRow([(x, 3), (y, 2)], .lessOrEqual, 4)
/// let s = try MIPSolver.solve(m)   // s.status == .optimal, s.objective == 5
/// ```
public struct MIPModel: Hashable, Sendable {
    public enum Sense: Hashable, Sendable { case minimize, maximize }
    public enum ColumnKind: Hashable, Sendable { case binary, integer, continuous }
    public enum RowSense: Hashable, Sendable { case lessOrEqual, greaterOrEqual, equal }

    public var sense: Sense
    public private(set) var kinds: [ColumnKind] = []
    public private(set) var lower: [Double] = []
    public private(set) var upper: [Double] = []
    public private(set) var objective: [Double] = []
    // rows in compressed sparse row form
    private(set) var rowStart: [Int] = [0]
    private(set) var rowColumns: [Int32] = []
    private(set) var rowValues: [Double] = []
    private(set) var rowLower: [Double] = []
    private(set) var rowUpper: [Double] = []

    public init(sense: Sense) { self.sense = sense }

    public var columnCount: Int { kinds.count }
    public var rowCount: Int { rowLower.count }
    public var nonzeroCount: Int { rowValues.count }

    /// Adds a column and returns its index. Binary columns have bounds [0, 1] whatever is passed;
    /// `upper` may be `.infinity`.
    @discardableResult
    public mutating func addColumn(_ kind: ColumnKind, lower: Double = 0, upper: Double = .infinity, objective: Double = 0) -> Int {
        kinds.append(kind)
        self.lower.append(kind == .binary ? max(0, lower) : lower)
        self.upper.append(kind == .binary ? min(1, upper) : upper)
        self.objective.append(objective)
        return kinds.count - 1
    }

    /// Adds a row Σ coefficient·column (sense) rhs and returns its index. Repeated columns are allowed
    /// (their coefficients add up).
    @discardableResult
    public mutating func addRow(_ terms: [(column: Int, coefficient: Double)], _ sense: RowSense, _ rhs: Double) -> Int {
        for t in terms {
            rowColumns.append(Int32(truncatingIfNeeded: t.column))
            rowValues.append(t.coefficient)
        }
        return closeRow(sense, rhs)
    }

    /// Adds a row whose coefficients are all 1 except `extra`: Σ_{c∈columns} c + Σ extra (sense) rhs.
    @discardableResult
    public mutating func addRow(
        ones columns: some Sequence<Int>, plus extra: [(column: Int, coefficient: Double)] = [], _ sense: RowSense, _ rhs: Double
    ) -> Int {
        for c in columns {
            rowColumns.append(Int32(truncatingIfNeeded: c))
            rowValues.append(1)
        }
        for t in extra {
            rowColumns.append(Int32(truncatingIfNeeded: t.column))
            rowValues.append(t.coefficient)
        }
        return closeRow(sense, rhs)
    }

    private mutating func closeRow(_ sense: RowSense, _ rhs: Double) -> Int {
        rowStart.append(rowValues.count)
        switch sense {
        case .lessOrEqual: rowLower.append(-.infinity); rowUpper.append(rhs)
        case .greaterOrEqual: rowLower.append(rhs); rowUpper.append(.infinity)
        case .equal: rowLower.append(rhs); rowUpper.append(rhs)
        }
        return rowLower.count - 1
    }

    /// Sets a column's bounds (e.g. to fix a binary at 1).
    public mutating func setBounds(column: Int, lower: Double, upper: Double) {
        self.lower[column] = lower
        self.upper[column] = upper
    }

    /// The objective value of a column vector.
    public func objectiveValue(_ values: [Double]) -> Double {
        var s = 0.0
        for (c, v) in zip(objective, values) { s += c * v }
        return s
    }

    func validate() throws(SpatialError) {
        for c in 0..<columnCount {
            guard !lower[c].isNaN, !upper[c].isNaN, lower[c] <= upper[c], lower[c] < .infinity, upper[c] > -.infinity else {
                throw .invalidModel(reason: "column \(c): bounds [\(lower[c]), \(upper[c])]")
            }
            guard objective[c].isFinite else { throw .invalidModel(reason: "column \(c): objective coefficient \(objective[c])") }
        }
        for r in 0..<rowCount {
            for k in rowStart[r]..<rowStart[r + 1] {
                guard rowColumns[k] >= 0, Int(rowColumns[k]) < columnCount else {
                    throw .invalidModel(reason: "row \(r): column \(rowColumns[k]) out of 0..<\(columnCount)")
                }
                guard rowValues[k].isFinite else { throw .invalidModel(reason: "row \(r): coefficient \(rowValues[k])") }
            }
            guard !rowLower[r].isNaN, !rowUpper[r].isNaN, rowLower[r] <= rowUpper[r] else {
                throw .invalidModel(reason: "row \(r): right-hand side [\(rowLower[r]), \(rowUpper[r])]")
            }
        }
    }
}

/// How to run the solver.
public struct MIPOptions: Hashable, Sendable {
    /// Wall-clock limit in seconds (CBC's `sec`). CBC checks it only after the root LP.
    public var timeLimitSeconds: Double?
    /// CBC threads (Debian's build gains little from more than 1).
    public var threads: Int = 1
    /// Print CBC's log to stdout (off by default: results go to stdout).
    public var log: Bool = false
    /// Solve the LP relaxation: every column continuous.
    public var relaxIntegrality: Bool = false
    /// Stop when (incumbent − bound) / |incumbent| is at most this (0: prove optimality).
    public var relativeGap: Double = 0
    /// Stop when incumbent − bound is at most this (CBC's allowable gap, default about 1e-10).
    public var absoluteGap: Double?
    /// A known feasible assignment of (some of) the integer columns, to start from.
    public var start: [(column: Int, value: Double)] = []
    /// Raw CBC parameters, as on its command line without the dash (("feas", "off"), ("cuts", "off")).
    public var parameters: [(name: String, value: String)] = []

    public init(timeLimitSeconds: Double? = nil, threads: Int = 1, log: Bool = false, relaxIntegrality: Bool = false) {
        self.timeLimitSeconds = timeLimitSeconds
        self.threads = threads
        self.log = log
        self.relaxIntegrality = relaxIntegrality
    }

    public static func == (a: MIPOptions, b: MIPOptions) -> Bool {
        a.timeLimitSeconds == b.timeLimitSeconds && a.threads == b.threads && a.log == b.log && a.relaxIntegrality == b.relaxIntegrality
            && a.relativeGap == b.relativeGap && a.absoluteGap == b.absoluteGap && a.start.elementsEqual(b.start, by: { $0 == $1 })
            && a.parameters.elementsEqual(b.parameters, by: { $0 == $1 })
    }

    public func hash(into h: inout Hasher) {
        h.combine(timeLimitSeconds)
        h.combine(threads)
        h.combine(relaxIntegrality)
        h.combine(start.count)
    }
}

/// What a solve ended with. Every normal outcome is a status, never an error.
public enum MIPStatus: String, Hashable, Sendable {
    /// Proven optimal (within the options' gaps).
    case optimal
    /// A feasible solution, not proven optimal (stopped on a gap or node limit).
    case feasible
    /// Proven to have no feasible solution.
    case infeasible
    /// Stopped at the time limit; `values` is the best solution so far when there is one.
    case timeLimit = "time_limit"
    /// The LP relaxation is unbounded.
    case unbounded
}

/// The outcome of `MIPSolver.solve`.
public struct MIPSolution: Hashable, Sendable {
    public var status: MIPStatus
    /// The objective of `values` (nil when there is no solution).
    public var objective: Double?
    /// The best bound proven on the optimum (a lower bound when minimising, upper when maximising).
    public var bound: Double?
    /// One value per column (empty when there is no solution).
    public var values: [Double]
    /// Wall time inside CBC, seconds.
    public var seconds: Double
    /// Branch-and-bound nodes CBC explored.
    public var nodes: Int

    public var hasSolution: Bool { !values.isEmpty }
}

public enum MIPSolver {
    /// The CBC version linked in ("2.10.8").
    public static var version: String { String(cString: Cbc_getVersion()) }

    /// Solves `model` with CBC.
    /// - Throws: `SpatialError.invalidModel` for a malformed model, `.solver` when CBC abandons the
    ///   search for numerical reasons. Infeasible, unbounded and time-limited runs are statuses.
    /// CBC 2.10's solve path (CbcMain0/CbcMain1 behind `Cbc_solve`) keeps static state: two models solved at the
    /// same time in one process interfere ("abandoned", wrong statuses; seen when tests ran in parallel). Every
    /// solve takes this lock; CBC's own threads (`threads` option) are unaffected.
    private static let cbcLock = NSLock()

    public static func solve(_ model: MIPModel, options: MIPOptions = MIPOptions()) throws(SpatialError) -> MIPSolution {
        cbcLock.lock()
        defer { cbcLock.unlock() }
        try model.validate()
        let cbc = CbcModel()
        cbc.load(model, relax: options.relaxIntegrality)
        cbc.configure(options)
        if !options.start.isEmpty, !options.relaxIntegrality {
            let idx = options.start.map { Int32($0.column) }
            let val = options.start.map(\.value)
            Cbc_setMIPStartI(cbc.handle, Int32(idx.count), idx, val)
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        _ = Cbc_solve(cbc.handle)  // returns CBC's status code, read below through the query functions
        let elapsed = t0.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return try cbc.solution(model, seconds: seconds)
    }
}

/// The one owner of a `Cbc_Model`: freed in `deinit`.
final class CbcModel {
    let handle: UnsafeMutableRawPointer

    init() {
        handle = Cbc_newModel()  // never NULL (C++ new throws instead)
    }

    deinit { Cbc_deleteModel(handle) }

    /// Loads the matrix column-wise in one call (per-row Cbc_addRow is quadratic on large models).
    func load(_ m: MIPModel, relax: Bool) {
        let n = m.columnCount, rows = m.rowCount
        var count = [Int32](repeating: 0, count: n + 1)
        for c in m.rowColumns { count[Int(c) + 1] += 1 }
        for c in 0..<n { count[c + 1] += count[c] }
        var start = count  // CoinBigIndex is int in Debian's build
        var next = Array(count.dropLast())
        var index = [Int32](repeating: 0, count: m.nonzeroCount)
        var value = [Double](repeating: 0, count: m.nonzeroCount)
        for r in 0..<rows {
            for k in m.rowStart[r]..<m.rowStart[r + 1] {
                let c = Int(m.rowColumns[k])
                let at = Int(next[c])
                index[at] = Int32(r)
                value[at] = m.rowValues[k]
                next[c] += 1
            }
        }
        let big = Double.greatestFiniteMagnitude  // COIN_DBL_MAX stands for infinity
        func finite(_ v: Double) -> Double { v == .infinity ? big : (v == -.infinity ? -big : v) }
        let colLower = m.lower.map(finite), colUpper = m.upper.map(finite)
        let rowLower = m.rowLower.map(finite), rowUpper = m.rowUpper.map(finite)
        Cbc_loadProblem(handle, Int32(n), Int32(rows), &start, index, value, colLower, colUpper, m.objective, rowLower, rowUpper)
        if !relax {
            for c in 0..<n where m.kinds[c] != .continuous { Cbc_setInteger(handle, Int32(c)) }
        }
        Cbc_setObjSense(handle, m.sense == .minimize ? 1 : -1)  // 1 minimise, -1 maximise
    }

    func configure(_ o: MIPOptions) {
        Cbc_setLogLevel(handle, o.log ? 1 : 0)
        if let t = o.timeLimitSeconds { Cbc_setMaximumSeconds(handle, max(0, t)) }
        if o.threads > 1 { Cbc_setParameter(handle, "threads", String(o.threads)) }
        Cbc_setAllowableFractionGap(handle, o.relativeGap)
        if let g = o.absoluteGap { Cbc_setAllowableGap(handle, g) }
        for (name, value) in o.parameters { Cbc_setParameter(handle, name, value) }
    }

    func solution(_ m: MIPModel, seconds: Double) throws(SpatialError) -> MIPSolution {
        let n = m.columnCount
        // Cbc_bestSolution: NULL when no integer-feasible solution was found
        var values: [Double] = []
        if let best = Cbc_bestSolution(handle) {
            values = Array(UnsafeBufferPointer(start: best, count: n))
        } else if Cbc_isProvenOptimal(handle) == 1, let col = Cbc_getColSolution(handle) {
            values = Array(UnsafeBufferPointer(start: col, count: n))  // pure LP: no "best solution" is kept
        }
        let nodes = Int(Cbc_getNodeCount(handle))
        // Each Cbc_is* query returns 1 for yes, 0 for no.
        let status: MIPStatus
        if Cbc_isProvenOptimal(handle) == 1 && !values.isEmpty {
            status = .optimal
        } else if Cbc_isProvenInfeasible(handle) == 1 || Cbc_isInitialSolveProvenPrimalInfeasible(handle) == 1 {
            status = .infeasible
        } else if Cbc_isContinuousUnbounded(handle) == 1 || Cbc_secondaryStatus(handle) == 7 {
            status = .unbounded
        } else if Cbc_isSecondsLimitReached(handle) == 1 || Cbc_secondaryStatus(handle) == 4 {
            status = .timeLimit
        } else if !values.isEmpty {
            status = .feasible
        } else if Cbc_isAbandoned(handle) == 1 || Cbc_isInitialSolveAbandoned(handle) == 1 {
            throw .solver(message: "CBC abandoned the search (numerical difficulties)")
        } else {
            throw .solver(message: "CBC stopped without a solution (status \(Cbc_status(handle)), secondary \(Cbc_secondaryStatus(handle)))")
        }
        let objective = values.isEmpty ? nil : m.objectiveValue(values)
        var bound: Double? = Cbc_getBestPossibleObjValue(handle)
        if status == .optimal {
            bound = bound.map { m.sense == .minimize ? min($0, objective!) : max($0, objective!) } ?? objective
            if let b = bound, !b.isFinite || abs(b) >= 1e50 { bound = objective }
        } else if let b = bound, !b.isFinite || abs(b) >= 1e50 {
            bound = nil
        }
        if status == .infeasible || status == .unbounded { bound = nil }
        return MIPSolution(status: status, objective: objective, bound: bound, values: values, seconds: seconds, nodes: nodes)
    }
}
