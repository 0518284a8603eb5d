import Foundation
import SpatialCore
import Testing

/// The nearest-line fast path against GEOS (STRtree nearest, all ties, lowest index), point by point.
@Suite struct NearestLineLocatorTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The Helsinki streets in UTM 35N.
    static func streets() throws -> [Geometry] {
        let features = try FeatureFile.read(root.appendingPathComponent("GeoData/helsinki/streets.geojson").path)
        let t = try CoordinateTransform(from: .wgs84, to: .epsg(32635))
        return try features.compactMap(\.geometry).map { try t.apply(to: $0) }
    }

    @Test func agreesWithGEOSOnRandomPoints() throws {
        let lines = try Self.streets()
        let locator = NearestLineLocator(lines)
        let geos = try SpatialIndex(lines)
        let box = try #require(Envelope.union(lines.map(\.envelope)))
        var rng = SplitMix64(seed: 99)
        var same = 0
        for i in 0..<4000 {
            // mostly inside the extent, some far outside it
            let spread = i % 10 == 0 ? 3.0 : 1.0
            let p = Coordinate(box.center.x + (rng.nextUnit() - 0.5) * box.width * spread,
                               box.center.y + (rng.nextUnit() - 0.5) * box.height * spread)
            let ours = try #require(locator.nearest(p))
            let theirs = try geos.nearest(to: .point(Point(p)))
            let best = try #require(theirs.map(\.index).min())
            #expect(ours.index == best, "\(p): \(ours) vs GEOS \(theirs)")
            #expect(abs(ours.distance - theirs[0].distance) <= 1e-9 * max(1, theirs[0].distance), "\(p): \(ours.distance) vs \(theirs[0].distance)")
            if ours.distance == theirs[0].distance { same += 1 }
            if i % 10 == 0 {  // measuring every piece, no index: the same line, the same distance to the bit
                let scanned = try #require(NearestLineLocator.nearest(p, among: lines))
                #expect(scanned == ours, "\(p): scan \(scanned) vs \(ours)")
            }
        }
        #expect(same > 3900)  // GEOS's formula: equal to the last bit almost always
    }

    /// Points on a vertex shared by several lines (ties) go to the lowest index, as SpatialIndex orders them.
    @Test func tiesGoToTheLowestIndex() throws {
        let a = Geometry.lineString(try LineString([Coordinate(0, 0), Coordinate(10, 0)]))
        let b = Geometry.lineString(try LineString([Coordinate(10, 0), Coordinate(10, 10)]))
        let c = Geometry.lineString(try LineString([Coordinate(20, 20), Coordinate(30, 30)]))
        let locator = NearestLineLocator([c, b, a])
        #expect(locator.nearest(Coordinate(10, 0))! == (1, 0))
        #expect(locator.nearest(Coordinate(12, -2))!.index == 1)  // a and b both 2√2 away, at their shared vertex (10, 0)
        #expect(locator.nearest(Coordinate(25, 0))!.index == 1)
        #expect(NearestLineLocator([]).nearest(Coordinate(0, 0)) == nil)
        // the same without an index
        #expect(NearestLineLocator.nearest(Coordinate(10, 0), among: [c, b, a])! == (1, 0))
        #expect(NearestLineLocator.nearest(Coordinate(12, -2), among: [c, b, a])!.index == 1)
        #expect(NearestLineLocator.nearest(Coordinate(25, 0), among: [c, b, a])!.index == 1)
        #expect(NearestLineLocator.nearest(Coordinate(0, 0), among: [.point(Point(x: 0, y: 0))]) == nil)
    }

    /// Far from every line (the middle of a ring of 400 short pieces) a bucket's candidate list would be long: it is
    /// searched ring by ring instead. Points on bucket edges and corners (integer lattice) use their bucket's list.
    /// Both against GEOS.
    @Test func longCandidateListsAndBucketEdgesAgreeWithGEOS() throws {
        var lines: [Geometry] = []
        for k in 0..<400 {
            let a = Double(k) / 400 * 2 * Double.pi, b = Double(k + 1) / 400 * 2 * Double.pi
            lines.append(.lineString(try LineString([Coordinate(1000 * cos(a), 1000 * sin(a)), Coordinate(1000 * cos(b), 1000 * sin(b))])))
        }
        lines.append(.lineString(try LineString([Coordinate(-1000, -1000), Coordinate(1000, -1000)])))
        let locator = NearestLineLocator(lines)
        let geos = try SpatialIndex(lines)
        var rng = SplitMix64(seed: 5)
        var points = (0..<1500).map { _ in Coordinate((rng.nextUnit() - 0.5) * 2100, (rng.nextUnit() - 0.5) * 2100) }
        for x in stride(from: -1000, through: 1000, by: 125) { for y in stride(from: -1000, through: 1000, by: 125) { points.append(Coordinate(Double(x), Double(y))) } }
        for p in points {
            let ours = try #require(locator.nearest(p))
            let theirs = try geos.nearest(to: .point(Point(p)))
            #expect(ours.index == theirs.map(\.index).min(), "\(p): \(ours) vs GEOS \(theirs)")
            #expect(abs(ours.distance - theirs[0].distance) <= 1e-9 * max(1, theirs[0].distance), "\(p): \(ours.distance) vs \(theirs[0].distance)")
        }
    }
}
