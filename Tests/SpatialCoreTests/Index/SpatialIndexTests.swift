import Foundation
import Testing
@testable import SpatialCore

/// A small hand-made set whose answers are worked out by hand below.
///
///     0: POINT (0 0)            1: POINT (10 0)          2: LINESTRING (0 5, 10 5)
///     3: square 20..30          4: square 22..28 (inside 3)
///     5: empty (never indexed, never returned)
///     6: triangle (40 0, 50 0, 40 10): its envelope's corner (50 10) is outside it
private func items() throws -> [Geometry] {
    [
        .point(x: 0, y: 0),
        .point(x: 10, y: 0),
        try Geometry(wkt: "LINESTRING (0 5, 10 5)"),
        try Geometry(wkt: "POLYGON ((20 20, 30 20, 30 30, 20 30, 20 20))"),
        try Geometry(wkt: "POLYGON ((22 22, 28 22, 28 28, 22 28, 22 22))"),
        .geometryCollection([]),
        try Geometry(wkt: "POLYGON ((40 0, 50 0, 40 10, 40 0))"),
    ]
}

private func indices(_ r: [(index: Int, distance: Double)]) -> [Int] { r.map(\.index) }

@Suite struct SpatialIndexTests {
    @Test func envelopeQueries() throws {
        let index = try SpatialIndex(try items())
        #expect(index.count == 7)
        #expect(try index.query(Envelope(minX: -1, minY: -1, maxX: 1, maxY: 1)) == [0])
        #expect(try index.query(Envelope(minX: 9, minY: -1, maxX: 31, maxY: 31)) == [1, 2, 3, 4])
        #expect(try index.query(Envelope(minX: 23, minY: 23, maxX: 24, maxY: 24)) == [3, 4])
        // closed boxes: touching an envelope's edge counts
        #expect(try index.query(Envelope(minX: 30, minY: 30, maxX: 35, maxY: 35)) == [3])
        #expect(try index.query(Envelope(minX: 10, minY: 5, maxX: 10, maxY: 5)) == [2])
        // bounding boxes only: (49 9) is outside the triangle but inside its envelope
        #expect(try index.query(Envelope(minX: 49, minY: 9, maxX: 49.5, maxY: 9.5)) == [6])
        #expect(try index.query(Envelope(minX: 100, minY: 100, maxX: 200, maxY: 200)).isEmpty)
        #expect(try index.query(Envelope(minX: -1000, minY: -1000, maxX: 1000, maxY: 1000)) == [0, 1, 2, 3, 4, 6])
    }

    @Test func geometryQueriesWithoutPredicateAreBoundingBoxCandidates() throws {
        let index = try SpatialIndex(try items())
        // the line x + y = 5 from (-1 6) to (6 -1): envelope (-1 -1, 6 6) meets 0 and 2
        let diagonal = try Geometry(wkt: "LINESTRING (-1 6, 6 -1)")
        #expect(try index.query(diagonal) == [0, 2])
        #expect(try index.query(diagonal, predicate: .intersects) == [2])  // crosses 2 at (0 5), misses (0 0)
        #expect(try index.query(.point(x: 49, y: 9)) == [6])
        #expect(try index.query(.point(x: 49, y: 9), predicate: .intersects).isEmpty)
        #expect(try index.query(.geometryCollection([])).isEmpty)
    }

    @Test func predicateQueries() throws {
        let index = try SpatialIndex(try items())
        let ring = try Geometry(wkt: "POLYGON ((21 21, 29 21, 29 29, 21 29, 21 21))")
        #expect(try index.query(ring, predicate: .intersects) == [3, 4])
        #expect(try index.query(ring, predicate: .contains) == [4])  // 22..28 lies inside 21..29
        #expect(try index.query(ring, predicate: .covers) == [4])
        #expect(try index.query(ring, predicate: .within) == [3])  // 21..29 lies inside 20..30
        #expect(try index.query(ring, predicate: .coveredBy) == [3])
        #expect(try index.query(ring, predicate: .overlaps).isEmpty)
        #expect(try index.query(ring, predicate: .touches).isEmpty)

        // a point on 3's boundary: intersects and touches 3, is covered by it, but not within it
        let edge = Geometry.point(x: 20, y: 25)
        #expect(try index.query(edge, predicate: .intersects) == [3])
        #expect(try index.query(edge, predicate: .touches) == [3])
        #expect(try index.query(edge, predicate: .coveredBy) == [3])
        #expect(try index.query(edge, predicate: .within).isEmpty)
        #expect(try index.query(.point(x: 25, y: 25), predicate: .within) == [3, 4])

        // the line from (-5 5) to (5 5) overlaps 2 along (0 5)-(5 5) and touches nothing else
        let collinear = try Geometry(wkt: "LINESTRING (-5 5, 5 5)")
        #expect(try index.query(collinear, predicate: .overlaps) == [2])
        let crossing = try Geometry(wkt: "LINESTRING (5 0, 5 10)")
        #expect(try index.query(crossing, predicate: .crosses) == [2])
        #expect(try index.query(crossing, predicate: .intersects) == [2])

        // 21..29 properly contains 4 (no boundary contact)
        #expect(try index.query(ring, predicate: .containsProperly) == [4])
    }

    @Test func dwithinQueries() throws {
        let index = try SpatialIndex(try items())
        // (5 0) is exactly 5 from 0, 1 and 2; dwithin is distance <= d
        #expect(try index.query(.point(x: 5, y: 0), predicate: .dwithin(5)) == [0, 1, 2])
        #expect(try index.query(.point(x: 5, y: 0), predicate: .dwithin(4.999)).isEmpty)
        // (15 25) is 5 from 3 and 7 from 4
        #expect(try index.query(.point(x: 15, y: 25), predicate: .dwithin(5)) == [3])
        #expect(try index.query(.point(x: 15, y: 25), predicate: .dwithin(7)) == [3, 4])
        // (50 10) is √50 ≈ 7.07 from the triangle's hypotenuse, though inside its envelope
        #expect(try index.query(.point(x: 50, y: 10), predicate: .dwithin(7)).isEmpty)
        #expect(try index.query(.point(x: 50, y: 10), predicate: .dwithin(7.08)) == [6])
        #expect(try index.query(.geometryCollection([]), predicate: .dwithin(100)).isEmpty)
    }

    @Test func disjointCannotUseTheIndex() throws {
        let index = try SpatialIndex(try items())
        #expect(throws: SpatialError.self) { try index.query(.point(x: 0, y: 0), predicate: .disjoint) }
    }

    @Test func nearestWithTies() throws {
        let index = try SpatialIndex(try items())
        // (5 0): 0, 1 and 2 are all exactly 5 away
        let tie = try index.nearest(to: .point(x: 5, y: 0))
        #expect(indices(tie) == [0, 1, 2])
        #expect(tie.allSatisfy { $0.distance == 5 })
        // (25 25) is inside both squares
        let inside = try index.nearest(to: .point(x: 25, y: 25))
        #expect(indices(inside) == [3, 4] && inside.allSatisfy { $0.distance == 0 })
        let one = try index.nearest(to: .point(x: -3, y: -4))
        #expect(indices(one) == [0] && one[0].distance == 5)
        // the nearest to a point past the triangle's hypotenuse, not its envelope
        let t = try index.nearest(to: .point(x: 50, y: 10))
        #expect(indices(t) == [6] && abs(t[0].distance - 50.0.squareRoot()) < 1e-12)
    }

    @Test func nearestWithinMaxDistance() throws {
        let index = try SpatialIndex(try items())
        #expect(try index.nearest(to: .point(x: 5, y: 0), maxDistance: 4).isEmpty)
        #expect(indices(try index.nearest(to: .point(x: 5, y: 0), maxDistance: 5)) == [0, 1, 2])
        // (15 15): 3 at √50 ≈ 7.07, 4 at √98 ≈ 9.90, 2 at √125 ≈ 11.18, 1 at √250 ≈ 15.81
        let r = try index.nearest(to: .point(x: 15, y: 15), maxDistance: 10)
        #expect(indices(r) == [3, 4])
        #expect(abs(r[0].distance - 50.0.squareRoot()) < 1e-12 && abs(r[1].distance - 98.0.squareRoot()) < 1e-12)
        #expect(indices(try index.nearest(to: .point(x: 15, y: 15), maxDistance: 12)) == [3, 4, 2])
    }

    @Test func kNearestOrdering() throws {
        let index = try SpatialIndex(try items())
        // (-1 0): 0 at 1, 2 at √26 ≈ 5.10, 1 at 11, 3 at √962 ≈ 31.0, 4 at √1013 ≈ 31.8, 6 at 41
        let q = Geometry.point(x: -1, y: 0)
        #expect(indices(try index.nearest(to: q, k: 1)) == [0])
        #expect(indices(try index.nearest(to: q, k: 3)) == [0, 2, 1])
        let all = try index.nearest(to: q, k: 10)
        #expect(indices(all) == [0, 2, 1, 3, 4, 6])
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.distance <= $1.distance })
        #expect(abs(all[5].distance - 41) < 1e-12)
        #expect(indices(try index.nearest(to: q, k: 3, maxDistance: 6)) == [0, 2])
        #expect(try index.nearest(to: q, k: 3, maxDistance: 0.5).isEmpty)
        #expect(try index.nearest(to: q, k: 0).isEmpty)
        // ties at (5 0) are broken by index
        #expect(indices(try index.nearest(to: .point(x: 5, y: 0), k: 2)) == [0, 1])
        #expect(indices(try index.nearest(to: .point(x: 5, y: 0), k: 4)) == [0, 1, 2, 3])
    }

    /// One item off the axes of the query: its envelope falls inside the search box before the item
    /// falls inside the search radius.
    @Test func kNearestFindsItemsInTheSearchBoxCorner() throws {
        let index = try SpatialIndex([.point(x: 0.9, y: 0.9)])
        let r = try index.nearest(to: .point(x: 0, y: 0), k: 1)
        #expect(indices(r) == [0])
        #expect(abs((r.first?.distance ?? 0) - 1.62.squareRoot()) < 1e-12)
        let far = try SpatialIndex([.point(x: 0, y: 0), .point(x: 700, y: 700)])
        #expect(indices(try far.nearest(to: .point(x: 0, y: 0), k: 2)) == [0, 1])
        #expect(indices(try far.nearest(to: .point(x: 0, y: 0), k: 2, maxDistance: 990)) == [0, 1])
        #expect(indices(try far.nearest(to: .point(x: 0, y: 0), k: 2, maxDistance: 989)) == [0])
    }

    @Test func nearestAgreesWithBruteForce() throws {
        var g = SplitMix64(seed: 7)
        let points: [Geometry] = (0..<300).map { _ in .point(x: g.nextUnit() * 1000, y: g.nextUnit() * 1000) }
        let index = try SpatialIndex(points)
        for _ in 0..<50 {
            let q = Geometry.point(x: g.nextUnit() * 1200 - 100, y: g.nextUnit() * 1200 - 100)
            let brute = try points.enumerated().map { (index: $0.offset, distance: try q.distance(to: $0.element)) }
                .sorted { $0.distance != $1.distance ? $0.distance < $1.distance : $0.index < $1.index }
            let k = try index.nearest(to: q, k: 5)
            #expect(indices(k) == brute.prefix(5).map(\.index))
            #expect(indices(try index.nearest(to: q)) == [brute[0].index])
            let within = try index.nearest(to: q, maxDistance: 80)
            #expect(indices(within) == brute.filter { $0.distance <= 80 }.map(\.index))
        }
    }

    @Test func emptyIndex() throws {
        let index = try SpatialIndex([])
        #expect(index.count == 0)
        #expect(try index.query(Envelope(minX: -1e9, minY: -1e9, maxX: 1e9, maxY: 1e9)).isEmpty)
        #expect(try index.query(.point(x: 0, y: 0), predicate: .intersects).isEmpty)
        #expect(try index.query(.point(x: 0, y: 0), predicate: .dwithin(1e9)).isEmpty)
        #expect(try index.nearest(to: .point(x: 0, y: 0)).isEmpty)
        #expect(try index.nearest(to: .point(x: 0, y: 0), maxDistance: 1e9).isEmpty)
        #expect(try index.nearest(to: .point(x: 0, y: 0), k: 3).isEmpty)
        // only empty geometries: nothing is indexed
        let empties = try SpatialIndex([.geometryCollection([]), .multiPolygon(MultiPolygon([]))])
        #expect(empties.count == 2)
        #expect(try empties.query(Envelope(minX: -1e9, minY: -1e9, maxX: 1e9, maxY: 1e9)).isEmpty)
        #expect(try empties.nearest(to: .point(x: 0, y: 0)).isEmpty)
        #expect(try empties.nearest(to: .point(x: 0, y: 0), k: 1).isEmpty)
    }
}
