import Foundation
import SpatialCore
import Testing
@testable import UrbanModel

/// The matcher on a hand-solved case: the 3 × 3 street grid of the peers' smoke test (100 m blocks, planar metres), a
/// walk A → B → C → F → I (east 200 m, then north 200 m) sampled every 15 m with the fixes thrown 7 m to alternate
/// sides. The truth is the walk itself.
@Suite struct MapMatcherTests {
    static let nodes: [String: Coordinate] = [
        "A": .init(0, 0), "B": .init(100, 0), "C": .init(200, 0), "D": .init(0, 100), "E": .init(100, 100),
        "F": .init(200, 100), "G": .init(0, 200), "H": .init(100, 200), "I": .init(200, 200),
    ]
    static let edges = [("A", "B"), ("B", "C"), ("D", "E"), ("E", "F"), ("G", "H"), ("H", "I"),
                        ("A", "D"), ("D", "G"), ("B", "E"), ("E", "H"), ("C", "F"), ("F", "I")]

    static func network() throws -> PatrolNetwork {
        PatrolNetwork(try StreetNetwork(edges.map { NetworkSegment(id: "\($0.0)-\($0.1)", coordinates: [nodes[$0.0]!, nodes[$0.1]!]) },
                                        mode: .walk, snapping: .nearest))
    }

    /// The walk's position `s` metres from A, its true segment, and the fix thrown `side` metres off it.
    static func walk(_ s: Double, side: Double) -> (fix: Coordinate, segment: String) {
        if s <= 200 { return (Coordinate(s, side), s < 100 ? "A-B" : "B-C") }
        return (Coordinate(200 + side, s - 200), s < 300 ? "C-F" : "F-I")
    }

    struct Run {
        var fixes: [MatchedFix] = []
        var traversals: [PatrolTraversal] = []
    }

    /// Every fix a column (no thinning: the 15 m steps are about 2σ; thinning is for 1 s tracks).
    func match(_ points: [(Coordinate, Double)]) throws -> Run {
        let net = try Self.network()
        var run = Run()
        var parameters = MatchParameters()
        parameters.thinning = 0
        let matcher = TraceMatcher(inspector: "x", network: net, parameters: parameters, distances: NodeDistances(net, radius: 400))
        var builder = TraversalBuilder(inspector: "x", network: net.network)
        matcher.onFix = { m, walked in
            for s in walked { try builder.walk(s) { run.traversals.append($0) } }
            if let c = m.candidate { try builder.fix(segment: c.segment, offset: c.offset, time: m.fix.time) { run.traversals.append($0) } }
            run.fixes.append(m)
        }
        matcher.onPieceEnd = { try builder.close { run.traversals.append($0) } }
        for (k, (p, t)) in points.enumerated() {
            try matcher.add(TrackFix(inspector: "x", time: t, lon: 0, lat: 0, index: k, line: k + 2), metric: p)
        }
        try matcher.finish()
        return run
    }

    func segment(_ run: Run, _ k: Int) throws -> String? {
        let net = try Self.network()
        return run.fixes[k].candidate.map { net.network.segments[$0.segment].id }
    }

    @Test func walkAlongTheGrid() throws {
        // from 20 m to 380 m: the first and last fixes are not at a corner, where two streets are equally near
        let along = stride(from: 20.0, through: 380, by: 15).map { $0 }
        let points = along.enumerated().map { k, s in (Self.walk(s, side: k % 2 == 0 ? 7 : -7).fix, Double(k) * 10) }
        let run = try match(points)
        #expect(run.fixes.map(\.fix.index) == Array(along.indices))  // every fix answered once, in order
        for (k, s) in along.enumerated() where [0.0, 100, 200, 300, 400].allSatisfy({ abs(s - $0) > 12 }) {
            #expect(try segment(run, k) == Self.walk(s, side: 0).segment, "fix \(k) at \(s) m")
        }
        // the stays: A-B from 20 m, B-C and C-F whole, F-I to 380 m; nothing else walked half a segment
        let passes = run.traversals.filter { $0.fraction >= 0.5 }
        #expect(passes.map(\.segmentID) == ["A-B", "B-C", "C-F", "F-I"])
        #expect(passes.map { ($0.fraction * 100).rounded() / 100 } == [0.8, 1, 1, 0.8])
        // entered and left when the walk (1.5 m/s from 20 m at 0 s) was there: B at 53.3 s, C at 120 s, F at 186.7 s, the end at
        // 240 s; within one fix interval (10 s): a fix 7 m off near a corner may be nearer the cross street (fix 19 at
        // (193, 105) is 5 m from E-F, 7 m from F-I), and the matched turn moves with it
        for (got, truth) in zip(passes.map(\.enteredAt) + passes.map(\.leftAt), [0.0, 53.3, 120, 186.7] + [53.3, 120, 186.7, 240]) {
            #expect(abs(got - truth) <= 10, "\(got) for \(truth)")
        }
        #expect(run.fixes.allSatisfy { $0.piece == 0 })
    }

    /// A fix 120 m off every street is unmatched and leaves the path alone; one thrown 40 m across to the parallel
    /// street (D-E) is an outlier the path does not follow.
    @Test func outliersAreSkipped() throws {
        let along = stride(from: 5.0, through: 395, by: 15).map { $0 }
        var points = along.enumerated().map { k, s in (Self.walk(s, side: k % 2 == 0 ? 4 : -4).fix, Double(k) * 10) }
        points[3].0 = Coordinate(50, -120)
        points[9].0 = Coordinate(140, 60)  // 40 m from B-C, E-F and C-F… and far from the walk's next position
        let run = try match(points)
        #expect(run.fixes[3].candidate == nil && run.fixes[9].candidate == nil)
        #expect(try segment(run, 2) == "A-B" && segment(run, 4) == "A-B" && segment(run, 10) == "B-C")
        #expect(run.traversals.filter { $0.fraction >= 0.5 }.map(\.segmentID) == ["A-B", "B-C", "C-F", "F-I"])
    }

    /// A gap longer than `maxGapSeconds` ends the piece: the stay before it ends there, the next piece starts anew.
    @Test func aLongGapStartsANewPiece() throws {
        let along = stride(from: 5.0, through: 395, by: 15).map { $0 }
        let points = along.enumerated().map { k, s in (Self.walk(s, side: 0).fix, Double(k) * 10 + (k >= 14 ? 600 : 0)) }
        let run = try match(points)
        #expect(Set(run.fixes[..<14].map(\.piece)) == [0] && Set(run.fixes[14...].map(\.piece)) == [1])
        // fix 13 at 200 m (C) ends piece 0, fix 14 at 215 m starts piece 1: C-F is walked from 15 m on
        let cf = run.traversals.filter { $0.segmentID == "C-F" }
        #expect(cf.count == 1 && abs(cf[0].fraction - 0.85) < 1e-9)
    }

    /// Memory stays flat: a long walk up and down one street never holds more than the undecided stretch.
    @Test func longTracksAreDecidedAsTheyGo() throws {
        let net = try Self.network()
        var decided = 0, maxPending = 0
        let matcher = TraceMatcher(inspector: "x", network: net, parameters: MatchParameters(), distances: NodeDistances(net, radius: 400))
        var added = 0
        matcher.onFix = { _, _ in decided += 1 }
        for k in 0..<20_000 {
            let s = Double(k % 40) * 5  // back and forth along A-B-C
            try matcher.add(TrackFix(inspector: "x", time: Double(k), lon: 0, lat: 0, index: k, line: k), metric: Coordinate(k / 40 % 2 == 0 ? s : 200 - s, 3))
            added += 1
            maxPending = max(maxPending, added - decided)
        }
        try matcher.finish()
        #expect(decided == 20_000 && maxPending <= 260)
    }
}
