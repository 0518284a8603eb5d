import Foundation
public import SpatialCore

/// The settings of the map matcher (Newson & Krumm 2009, "Hidden Markov map matching through noise and sparseness").
public struct MatchParameters: Sendable, Hashable {
    /// Segments farther than this from a fix are not its candidates (metres).
    public var searchRadius = 50.0
    /// At most this many candidates per fix, nearest first.
    public var maxCandidates = 8
    /// σ of the GPS error: emission log-probability −½(d/σ)² for a fix d metres from the candidate.
    public var sigma = 10.0
    /// β of the transition: log-probability −|route − straight| / β between consecutive fixes.
    public var beta = 15.0
    /// A gap between fixes longer than this (seconds) ends a piece: the next fix starts a new one.
    public var maxGapSeconds = 180.0
    /// Routes are searched this far (metres) from each end node (and are unreachable beyond it).
    public var routeRadius = 400.0
    /// A fix farther than this from every street is bad input (swapped lat/lon, a wrong --crs), not an outlier.
    public var offNetworkLimit = 2_000.0
    /// Log-probability of calling a fix an outlier (the path stays where it was and the fix is left unmatched): about
    /// the emission of a fix 4σ off.
    public var outlierPenalty = 8.0
    /// A fix closer than this many σ to the previous column's fix is not a column of its own (Newson & Krumm thin
    /// the track the same way): it is answered on the previous column's segment.
    public var thinning = 2.0

    public init() {}
}

/// One fix as matched: its candidate (nil when off the network: no street within the search radius, or an outlier
/// the path skipped) and the piece of the track it belongs to (a new piece after a long gap or a break).
public struct MatchedFix: Sendable {
    public var fix: TrackFix
    public var metric: Coordinate
    public var candidate: PatrolNetwork.Candidate?
    public var piece: Int
}

/// A stretch walked on one segment between two instants: from `fromOffset` to `toOffset` metres along it.
public struct WalkedStretch: Sendable, Hashable {
    public var segment: Int
    public var fromOffset: Double
    public var toOffset: Double
    public var fromTime: Double
    public var toTime: Double
}

/// Map-matches one inspector's fixes as they come (Viterbi over each fix's candidates), with memory bounded by the
/// undecided stretch of the track: a column is decided as soon as every surviving path goes through the same state
/// (or, at `maxLag` columns, by the best path), and handed out with the route walked since the previous decided fix.
///
/// Outliers: a fix no candidate of the previous column reaches is held back; if the next fix is reachable from the
/// previous column again, the held fix was an outlier (left unmatched); if not, the path breaks and a new piece
/// starts at the held fix. Fixes without candidates are left unmatched and skipped. A gap longer than
/// `maxGapSeconds` starts a new piece.
public final class TraceMatcher {
    public let inspector: String
    let net: PatrolNetwork
    let params: MatchParameters
    let distances: NodeDistances
    let maxLag: Int

    /// A column of the lattice: the fix's candidates, then (`skip`) the previous column's matched states carried
    /// over, for "this fix is an outlier"; `refs` is the fix each state's position was matched from.
    private struct Column {
        var fix: TrackFix
        var metric: Coordinate
        var candidates: [PatrolNetwork.Candidate]
        var refs: [Coordinate]
        var skip: [Bool]
        var score: [Double]
        var back: [Int32]
    }
    /// Undecided entries in order: a column of the lattice, or an unmatched fix (off network or outlier).
    private enum Entry {
        case column(Column)
        case unmatched(TrackFix, Coordinate)
        /// A fix within 2σ of the previous column's (Newson & Krumm's thinning): answered on the segment its previous
        /// column was matched to, not a column of its own (at 1 s fixes the noise would otherwise zigzag the path).
        case attached(TrackFix, Coordinate)
    }
    private var entries: [Entry] = []
    /// Index in `entries` of the last column (nil: the current piece has none undecided yet).
    private var lastColumn: Int?
    private var held: (TrackFix, Coordinate, [PatrolNetwork.Candidate])?
    private var piece = 0
    private var lastTime: Double?
    /// The previous decided matched fix of this piece, for the route to the next.
    private var previousDecided: (candidate: PatrolNetwork.Candidate, time: Double)?

    /// Receives each decided fix, and the stretches walked from the previous matched fix of the piece to it.
    public var onFix: (MatchedFix, [WalkedStretch]) throws -> Void = { _, _ in }
    /// Called when a piece ends (a gap, a break, the end of the track).
    public var onPieceEnd: () throws -> Void = {}

    init(inspector: String, network: PatrolNetwork, parameters: MatchParameters, distances: NodeDistances, maxLag: Int = 256) {
        self.inspector = inspector
        net = network
        params = parameters
        self.distances = distances
        self.maxLag = maxLag
    }

    // MARK: Probabilities

    private func emission(_ c: PatrolNetwork.Candidate) -> Double { -0.5 * (c.distance / params.sigma) * (c.distance / params.sigma) }

    /// The walking distance between two candidates' positions (`.infinity` beyond the search radius).
    func route(_ a: PatrolNetwork.Candidate, _ b: PatrolNetwork.Candidate) -> Double {
        let sa = net.network.segments[a.segment], sb = net.network.segments[b.segment]
        var best = a.segment == b.segment ? abs(a.offset - b.offset) : .infinity
        let starts = [(sa.from, a.offset), (sa.to, sa.lengthMetres - a.offset)]
        let ends = [(Int32(sb.from), b.offset), (Int32(sb.to), sb.lengthMetres - b.offset)]
        for (n, da) in starts where da < best {
            let tree = distances.tree(n)
            for (m, db) in ends {
                if let (d, _) = tree.reached[m] { best = min(best, da + d + db) }
            }
        }
        return best
    }

    /// The stretches of the shortest walk from `a` to `b` between times `ta` and `tb` (times shared by length).
    func stretches(_ a: PatrolNetwork.Candidate, _ b: PatrolNetwork.Candidate, _ ta: Double, _ tb: Double) -> [WalkedStretch] {
        let sa = net.network.segments[a.segment], sb = net.network.segments[b.segment]
        var best = a.segment == b.segment ? abs(a.offset - b.offset) : .infinity
        var plan: (Int, Int, Double, Double)?  // start node, end node, start end offset on a, entry offset on b
        for (n, da, endA) in [(sa.from, a.offset, 0.0), (sa.to, sa.lengthMetres - a.offset, sa.lengthMetres)] where da < best {
            let tree = distances.tree(n)
            for (m, db, entryB) in [(sb.from, b.offset, 0.0), (sb.to, sb.lengthMetres - b.offset, sb.lengthMetres)] {
                if let (d, _) = tree.reached[Int32(m)], da + d + db < best {
                    best = da + d + db
                    plan = (n, m, endA, entryB)
                }
            }
        }
        var parts: [(Int, Double, Double)] = []
        if let (n, m, endA, entryB) = plan, let middle = distances.segments(from: n, to: m) {
            parts.append((a.segment, a.offset, endA))
            var node = n
            for s in middle {
                let seg = net.network.segments[s]
                if seg.from == node { parts.append((s, 0, seg.lengthMetres)); node = seg.to } else { parts.append((s, seg.lengthMetres, 0)); node = seg.from }
            }
            parts.append((b.segment, entryB, b.offset))
        } else if best.isFinite {
            parts.append((a.segment, a.offset, b.offset))
        } else {
            return []
        }
        let total = parts.reduce(0) { $0 + abs($1.2 - $1.1) }
        var out: [WalkedStretch] = []
        var walked = 0.0
        for (s, f, t) in parts {
            let t0 = total > 0 ? ta + (tb - ta) * walked / total : ta
            walked += abs(t - f)
            let t1 = total > 0 ? ta + (tb - ta) * walked / total : tb
            out.append(WalkedStretch(segment: s, fromOffset: f, toOffset: t, fromTime: t0, toTime: t1))
        }
        return out
    }

    // MARK: Feeding

    /// Adds the next fix (time not before the previous one's; `metric` in the network's CRS).
    public func add(_ fix: TrackFix, metric: Coordinate) throws {
        let candidates = net.candidates(near: metric, radius: params.searchRadius, limit: params.maxCandidates)
        if let t = lastTime, fix.time - t > params.maxGapSeconds { try endPiece() }
        lastTime = fix.time
        if held == nil, let previous = lastColumnValue, !candidates.isEmpty {
            let dx = metric.x - previous.metric.x, dy = metric.y - previous.metric.y
            if (dx * dx + dy * dy).squareRoot() < params.thinning * params.sigma {
                entries.append(.attached(fix, metric))
                if lastColumn == nil { try emitAttachedAfterAnchor() }
                return
            }
        }
        guard !candidates.isEmpty else {
            entries.append(.unmatched(fix, metric))
            try decideIfNoColumn()
            return
        }
        if let h = held {
            held = nil
            if let column = step(from: lastColumnValue, fix, metric, candidates) {
                entries.append(.unmatched(h.0, h.1))  // the held fix was an outlier
                try push(column)
                return
            }
            try endPiece()
            try push(start(h.0, h.1, h.2))
        }
        guard let previous = lastColumnValue else {
            try push(start(fix, metric, candidates))
            return
        }
        if let column = step(from: previous, fix, metric, candidates) {
            try push(column)
        } else {
            held = (fix, metric, candidates)
        }
    }

    /// Decides everything left and ends the piece.
    public func finish() throws { try endPiece() }

    private var lastColumnValue: Column? {
        guard let i = lastColumn, case .column(let c) = entries[i] else { return anchorColumn }
        return c
    }

    private func start(_ fix: TrackFix, _ metric: Coordinate, _ candidates: [PatrolNetwork.Candidate]) -> Column {
        Column(fix: fix, metric: metric, candidates: candidates, refs: Array(repeating: metric, count: candidates.count),
               skip: Array(repeating: false, count: candidates.count), score: candidates.map(emission),
               back: [Int32](repeating: -1, count: candidates.count))
    }

    /// The next column from `previous` (nil when no candidate is reachable from any previous state).
    private func step(from previous: Column?, _ fix: TrackFix, _ metric: Coordinate, _ candidates: [PatrolNetwork.Candidate]) -> Column? {
        guard let previous else { return nil }
        let n = candidates.count
        var score = [Double](repeating: -.infinity, count: n)
        var back = [Int32](repeating: -1, count: n)
        for (i, a) in previous.candidates.enumerated() where previous.score[i] > -.infinity {
            let ref = previous.refs[i]
            let dx = metric.x - ref.x, dy = metric.y - ref.y
            let straight = (dx * dx + dy * dy).squareRoot()
            for (j, b) in candidates.enumerated() {
                let r = route(a, b)
                guard r.isFinite else { continue }
                let s = previous.score[i] - abs(r - straight) / params.beta
                if s > score[j] { score[j] = s; back[j] = Int32(i) }
            }
        }
        for j in 0..<n where score[j] > -.infinity { score[j] += emission(candidates[j]) }
        // the outlier states: each matched state of the previous column carried over (never two outliers in a row)
        var all = candidates, refs = Array(repeating: metric, count: n), skip = Array(repeating: false, count: n)
        for (i, a) in previous.candidates.enumerated() where previous.score[i] > -.infinity && !previous.skip[i] {
            all.append(a)
            refs.append(previous.refs[i])
            skip.append(true)
            score.append(previous.score[i] - params.outlierPenalty)
            back.append(Int32(i))
        }
        guard score.contains(where: { $0 > -.infinity }) else { return nil }
        // keep the numbers small: the best state scores 0
        let top = score.max()!
        for j in score.indices { score[j] -= top }
        return Column(fix: fix, metric: metric, candidates: all, refs: refs, skip: skip, score: score, back: back)
    }

    private func push(_ column: Column) throws {
        entries.append(.column(column))
        lastColumn = entries.count - 1
        let columns = entries.reduce(0) { if case .column = $1 { $0 + 1 } else { $0 } }
        if columns >= 8 { try decideConverged(force: columns >= maxLag) }
    }

    /// Hands out decided entries when the lattice holds no column (only unmatched fixes before any column).
    private func decideIfNoColumn() throws {
        guard lastColumn == nil, held == nil, !entries.isEmpty else { return }
        try emit(upTo: entries.count - 1, chosen: [:])
    }

    /// Finds the latest column where every surviving path meets and hands out everything up to it (with `force`,
    /// up to the last column's best state's path, keeping only that state).
    private func decideConverged(force: Bool) throws {
        guard let last = lastColumn, case .column(let lastCol) = entries[last] else { return }
        var states = Set(lastCol.score.indices.filter { lastCol.score[$0] > -.infinity })
        if force { states = [lastCol.score.indices.max { lastCol.score[$0] < lastCol.score[$1] }!] }
        var chosen: [Int: Int] = [:]  // entry index → state, once converged
        var k = last
        var converged: (entry: Int, state: Int)?
        while k >= 0 {
            guard case .column(let c) = entries[k] else { k -= 1; continue }
            if states.count == 1 { converged = (k, states.first!); break }
            states = Set(states.map { Int(c.back[$0]) }.filter { $0 >= 0 })
            // move to the previous column
            var p = k - 1
            while p >= 0 { if case .column = entries[p] { break }; p -= 1 }
            if p < 0 { break }
            k = p
        }
        guard let (entry, state) = converged else { return }
        // follow the back-pointers from the converged state down to the first entry
        var s = state
        var j = entry
        while j >= 0 {
            if case .column(let c) = entries[j] {
                chosen[j] = s
                s = Int(c.back[s])
                if s < 0 { break }
            }
            j -= 1
        }
        try emit(upTo: entry, chosen: chosen)
    }

    /// Hands out entries 0...upTo with their chosen states; the last handed-out column becomes the anchor.
    private func emit(upTo: Int, chosen: [Int: Int]) throws {
        for k in 0...upTo {
            switch entries[k] {
            case .unmatched(let f, let m):
                try onFix(MatchedFix(fix: f, metric: m, candidate: nil, piece: piece), [])
            case .attached(let f, let m):
                try onFix(MatchedFix(fix: f, metric: m, candidate: previousDecided.map { net.project(m, onto: $0.candidate.segment) }, piece: piece), [])
            case .column(let c):
                guard let s = chosen[k] else { continue }
                if c.skip[s] {  // an outlier
                    try onFix(MatchedFix(fix: c.fix, metric: c.metric, candidate: nil, piece: piece), [])
                    continue
                }
                let cand = c.candidates[s]
                var walked: [WalkedStretch] = []
                if let p = previousDecided { walked = stretches(p.candidate, cand, p.time, c.fix.time) }
                previousDecided = (cand, c.fix.time)
                try onFix(MatchedFix(fix: c.fix, metric: c.metric, candidate: cand, piece: piece), walked)
            }
        }
        // the last decided column stays as the lattice's first column (its back-pointers no longer matter)
        if case .column(var c) = entries[upTo], let s = chosen[upTo] {
            for i in c.back.indices { c.back[i] = -1 }
            entries.removeSubrange(0...upTo)
            // keep it so the next columns' back-pointers (indices into it) stay valid, but do not hand it out again
            c.score = c.score.indices.map { $0 == s ? 0 : -.infinity }
            anchorColumn = c
        } else {
            entries.removeSubrange(0...upTo)
        }
        lastColumn = entries.lastIndex { if case .column = $0 { true } else { false } }
    }

    /// Hands out attached fixes that follow a decided column directly.
    private func emitAttachedAfterAnchor() throws {
        guard lastColumn == nil, held == nil, !entries.isEmpty else { return }
        try emit(upTo: entries.count - 1, chosen: [:])
    }

    /// The decided column the undecided ones hang from (not in `entries`).
    private var anchorColumn: Column?

    private func endPiece() throws {
        if let h = held {
            held = nil
            entries.append(.unmatched(h.0, h.1))
        }
        if let last = lastColumn, case .column(let c) = entries[last] {
            let best = c.score.indices.max { c.score[$0] < c.score[$1] }!
            var chosen: [Int: Int] = [:]
            var s = best, j = last
            while j >= 0 {
                if case .column(let col) = entries[j] {
                    chosen[j] = s
                    s = Int(col.back[s])
                    if s < 0 { break }
                }
                j -= 1
            }
            try emit(upTo: entries.count - 1, chosen: chosen)
        } else if !entries.isEmpty {
            try emit(upTo: entries.count - 1, chosen: [:])
        }
        entries.removeAll()
        lastColumn = nil
        anchorColumn = nil
        previousDecided = nil
        try onPieceEnd()
        piece += 1
    }
}
