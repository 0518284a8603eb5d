import Foundation
import Testing
@testable import SpatialCore

/// The peers' cells, copied to `Vectors/helsinki_cells_100m.csv` (EPSG:3067; see shared/anchors/FORMAT.md).
private struct HelsinkiCells {
    let ids: [Int]
    let areas: [Double]
    let polygons: [Geometry]

    /// FORMAT.md: the helsinki point box and seed.
    static let box = Envelope(minX: 385412.539, minY: 6671452.861, maxX: 386475.93, maxY: 6673149.065)
    static let seed: UInt64 = 20240601

    static func load() throws -> HelsinkiCells {
        let text = try String(contentsOf: TestData.vector("helsinki_cells_100m.csv"), encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline)
        let header = lines.removeFirst()
        guard header == "cell_id,row,col,full,area_m2,wkt" else { throw Malformed(line: String(header)) }
        var ids: [Int] = [], areas: [Double] = [], polygons: [Geometry] = []
        for line in lines {
            // five plain fields, then the quoted WKT (which holds commas)
            let fields = line.split(separator: ",", maxSplits: 5)
            guard fields.count == 6, let id = Int(fields[0]), let area = Double(fields[4]),
                fields[5].hasPrefix("\""), fields[5].hasSuffix("\"")
            else { throw Malformed(line: String(line)) }
            ids.append(id)
            areas.append(area)
            polygons.append(try Geometry(wkt: String(fields[5].dropFirst().dropLast())))
        }
        return HelsinkiCells(ids: ids, areas: areas, polygons: polygons)
    }

    struct Malformed: Error { let line: String }
}

/// What GEOS says: the lowest index whose prepared polygon contains (or covers) the point.
/// Only the polygons whose envelope holds the point are asked — a polygon never contains or
/// covers a point outside its envelope, so this is the same answer as asking all of them.
private struct BruteForce {
    let prepared: [PreparedGeometry]
    let envelopes: [Envelope?]

    init(_ polygons: [Geometry]) throws {
        prepared = try polygons.map { try PreparedGeometry($0) }
        envelopes = polygons.map(\.envelope)
    }

    func locate(_ c: Coordinate, _ semantics: PolygonLocator.Semantics) throws -> Int? {
        for (k, p) in prepared.enumerated() where envelopes[k]?.contains(c) ?? false {
            if try semantics == .covers ? p.covers(c) : p.contains(c) { return k }
        }
        return nil
    }
}

/// Every vertex and every edge midpoint of every ring: points on (or within rounding of) the boundaries.
private func boundaryPoints(_ polygons: [Geometry]) -> [Coordinate] {
    var out: [Coordinate] = []
    func ring(_ r: LinearRing) {
        out += r.coordinates
        for (a, b) in zip(r.coordinates, r.coordinates.dropFirst()) { out.append(Coordinate((a.x + b.x) / 2, (a.y + b.y) / 2)) }
    }
    for g in polygons {
        switch g {
        case .polygon(let p): ring(p.exterior); p.holes.forEach(ring)
        case .multiPolygon(let m): for p in m.polygons { ring(p.exterior); p.holes.forEach(ring) }
        default: break
        }
    }
    return out
}

/// Points on the locator's bucket lines and corners (its raster starts at the polygons' extent).
private func bucketEdgePoints(_ locator: PolygonLocator, _ polygons: [Geometry], limit: Int = 4000) -> [Coordinate] {
    var extent: Envelope?
    for case let e? in polygons.map(\.envelope) { if extent == nil { extent = e } else { extent!.expand(toInclude: e) } }
    guard let ext = extent else { return [] }
    let s = locator.statistics.bucketSize
    var out: [Coordinate] = []
    var g = SplitMix64(seed: 99)
    let nx = Int((ext.width / s).rounded(.up)), ny = Int((ext.height / s).rounded(.up))
    for _ in 0..<limit {
        let i = Int(g.next() % UInt64(nx + 1)), j = Int(g.next() % UInt64(ny + 1))
        let x = ext.minX + Double(i) * s, y = ext.minY + Double(j) * s
        switch g.next() % 3 {
        case 0: out.append(Coordinate(x, y))  // corner
        case 1: out.append(Coordinate(x, ext.minY + g.nextUnit() * ext.height))  // vertical line
        default: out.append(Coordinate(ext.minX + g.nextUnit() * ext.width, y))  // horizontal line
        }
    }
    return out
}

/// Compares the locator with GEOS for every point; returns how many points lie in some polygon.
@discardableResult
private func expectAgreement(_ polygons: [Geometry], _ points: [Coordinate], _ semantics: PolygonLocator.Semantics,
                             bucketsPerPolygon: Int = 256, _ label: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
    let locator = try PolygonLocator(polygons, semantics: semantics, bucketsPerPolygon: bucketsPerPolygon)
    let brute = try BruteForce(polygons)
    let all = points + bucketEdgePoints(locator, polygons)
    var mismatches: [String] = []
    var inside = 0
    for c in all {
        let got = try locator.locate(c), want = try brute.locate(c, semantics)
        if got != want, mismatches.count < 10 { mismatches.append("\(c): locator \(String(describing: got)), GEOS \(String(describing: want))") }
        if want != nil { inside += 1 }
    }
    #expect(mismatches.isEmpty, "\(label) \(semantics): \(mismatches.joined(separator: "; "))", sourceLocation: sourceLocation)
    // the bulk forms give the same answers
    let bulk = try locator.locate(all)
    let xy = try locator.locate(x: all.map(\.x), y: all.map(\.y))
    let singles = try all.map { Int32(try locator.locate($0) ?? -1) }
    #expect(bulk == singles && xy == singles, "\(label) \(semantics): bulk forms", sourceLocation: sourceLocation)
    // polygons prepared up front (as a service warms up) answer the same
    let warm = try PolygonLocator(polygons, semantics: semantics, bucketsPerPolygon: bucketsPerPolygon)
    try warm.preparePolygons()
    #expect(try warm.locate(all) == singles, "\(label) \(semantics): prepared up front", sourceLocation: sourceLocation)
    return inside
}

@Suite struct PolygonLocatorTests {
    // MARK: (a) the 198 Helsinki cells

    @Test func helsinkiCellsParse() throws {
        let cells = try HelsinkiCells.load()
        #expect(cells.polygons.count == 198)
        #expect(cells.ids == Array(0..<198))
        // the file's area_m2 (3 decimals) agrees with GEOS's area of its WKT
        for (k, g) in cells.polygons.enumerated() {
            #expect(abs(try g.area() - cells.areas[k]) <= 0.0005 + 1e-9, "cell \(k)")
        }
    }

    @Test func splitmixReproducesTheBenchmarkPoints() {
        let p = SplitMix64.points(seed: HelsinkiCells.seed, count: 3, in: HelsinkiCells.box)
        // FORMAT.md's check value and helsinki_grid_meta.json's points_first3_helsinki
        #expect(p[0] == Coordinate(385439.6591755452, 6672528.404361055))
        #expect(p[1] == Coordinate(385421.3730853033, 6672859.209837251))
        #expect(p[2] == Coordinate(385437.06191199966, 6671655.754475507))
        // the synth case's generator too (other seed and box)
        let synth = SplitMix64.points(seed: 20240602, count: 1, in: Envelope(minX: 375000, minY: 6662000, maxX: 395000, maxY: 6682000))
        #expect(synth[0] == Coordinate(384552.4484730555, 6668099.764835205))
    }

    @Test(arguments: [PolygonLocator.Semantics.contains, .covers])
    func helsinkiAgreesWithGEOS(_ semantics: PolygonLocator.Semantics) throws {
        let cells = try HelsinkiCells.load()
        let points = SplitMix64.points(seed: HelsinkiCells.seed, count: 20_000, in: HelsinkiCells.box)
        try expectAgreement(cells.polygons, points + boundaryPoints(cells.polygons), semantics, "helsinki")
        // a coarse and a fine raster classify buckets differently; the answers must not change
        try expectAgreement(cells.polygons, Array(points.prefix(5000)) + boundaryPoints(cells.polygons), semantics,
                            bucketsPerPolygon: 1, "helsinki coarse")
        try expectAgreement(cells.polygons, Array(points.prefix(5000)) + boundaryPoints(cells.polygons), semantics,
                            bucketsPerPolygon: 4096, "helsinki fine")
    }

    /// The same cells in lon/lat (how UrbanGrid stores a grid built in a metric CRS): a tiling of quadrilaterals
    /// that are not axis-aligned, so every bucket test is GEOS's, and most buckets are reached by several
    /// envelopes. Agrees with GEOS at every raster resolution, on the shared edges and corners too.
    @Test(arguments: [PolygonLocator.Semantics.contains, .covers])
    func helsinkiInLonLatAgreesWithGEOS(_ semantics: PolygonLocator.Semantics) throws {
        let toLonLat = try CoordinateTransform(from: .epsg(3067), to: .wgs84)
        let cells = try HelsinkiCells.load().polygons.map { try toLonLat.apply(to: $0) }
        var box = try #require(cells.first?.envelope)
        for c in cells { box.expand(toInclude: try #require(c.envelope)) }
        let points = SplitMix64.points(seed: 11, count: 5_000, in: box) + boundaryPoints(cells)
        for bpp in [1, 25, 256, 4096] {
            let inside = try expectAgreement(cells, points, semantics, bucketsPerPolygon: bpp, "helsinki lon/lat, \(bpp) buckets per polygon")
            #expect(inside > 4_000)
        }
        let locator = try PolygonLocator(cells, semantics: semantics, bucketsPerPolygon: 256)
        #expect(locator.statistics.rectangles == 0 && locator.statistics.pure > 0)
    }

    /// FORMAT.md: of the first 1,000,000 points, 934,673 lie inside a cell (every engine agrees).
    @Test func helsinkiMillionPointCount() throws {
        let cells = try HelsinkiCells.load()
        let points = SplitMix64.points(seed: HelsinkiCells.seed, count: 1_000_000, in: HelsinkiCells.box)
        for semantics in [PolygonLocator.Semantics.covers, .contains] {
            let locator = try PolygonLocator(cells.polygons, semantics: semantics)
            let located = try locator.locate(points)
            #expect(located.filter { $0 >= 0 }.count == 934_673, "\(semantics)")
        }
    }

    // MARK: (b) a hand-made set

    /// 0: square 0..10 · 1: square 5..15 × 0..10 (overlaps 0) · 2: 0..20 × 10..20 with a hole 4..8 × 14..18
    /// (shares the edge y = 10 with 0 and 1) · 3: a multipolygon of two triangles · 4: a triangle sharing
    /// the edge (20 0)-(25 5) with 3 · 5: square 20..30 × 10..20 (shares x = 20 with 2) · 6: a square in 2's hole
    static let handMade: [String] = [
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))",
        "POLYGON ((5 0, 15 0, 15 10, 5 10, 5 0))",
        "POLYGON ((0 10, 20 10, 20 20, 0 20, 0 10), (4 14, 8 14, 8 18, 4 18, 4 14))",
        "MULTIPOLYGON (((20 0, 30 0, 25 5, 20 0)), ((30 10, 40 10, 40 20, 30 10)))",
        "POLYGON ((20 0, 25 5, 20 10, 20 0))",
        "POLYGON ((20 10, 30 10, 30 20, 20 20, 20 10))",
        "POLYGON ((5 15, 7 15, 7 17, 5 17, 5 15))",
    ]

    @Test func handMadeKnownAnswers() throws {
        let polygons = try Self.handMade.map { try Geometry(wkt: $0) }
        let covers = try PolygonLocator(polygons, semantics: .covers)
        let contains = try PolygonLocator(polygons, semantics: .contains)
        let cases: [(Coordinate, covers: Int?, contains: Int?)] = [
            (Coordinate(2, 2), 0, 0),
            (Coordinate(7, 5), 0, 0),  // in 0 and 1: the lowest index wins
            (Coordinate(12, 5), 1, 1),
            (Coordinate(10, 5), 0, 1),  // on 0's edge, inside 1
            (Coordinate(5, 5), 0, 0),  // on 1's edge, inside 0
            (Coordinate(2, 10), 0, nil),  // the edge 0 shares with 2
            (Coordinate(12, 10), 1, nil),  // the edge 1 shares with 2
            (Coordinate(2, 12), 2, 2),
            (Coordinate(6, 16), 6, 6),  // in 2's hole, inside 6
            (Coordinate(4.5, 14.5), nil, nil),  // in 2's hole, outside 6
            (Coordinate(4, 16), 2, nil),  // on the hole's edge
            (Coordinate(25, 1), 3, 3),  // first part of the multipolygon
            (Coordinate(38, 17), 3, 3),  // second part
            (Coordinate(35, 17), nil, nil),  // the second part's envelope, not the part
            (Coordinate(21, 5), 4, 4),
            (Coordinate(22.5, 2.5), 3, nil),  // the edge 3 shares with 4
            (Coordinate(25, 5), 3, nil),  // the vertex 3 shares with 4
            (Coordinate(20, 10), 2, nil),  // corner of 2, 4 and 5
            (Coordinate(25, 15), 5, 5),
            (Coordinate(-1, 5), nil, nil),
            (Coordinate(100, 100), nil, nil),
            (Coordinate(.nan, 5), nil, nil),
        ]
        for (c, wantCovers, wantContains) in cases {
            #expect(try covers.locate(c) == wantCovers, "covers \(c)")
            #expect(try contains.locate(c) == wantContains, "contains \(c)")
        }
    }

    @Test(arguments: [PolygonLocator.Semantics.contains, .covers])
    func handMadeAgreesWithGEOS(_ semantics: PolygonLocator.Semantics) throws {
        let polygons = try Self.handMade.map { try Geometry(wkt: $0) }
        let box = Envelope(minX: -2, minY: -2, maxX: 42, maxY: 22)
        var points = SplitMix64.points(seed: 1, count: 20_000, in: box) + boundaryPoints(polygons)
        // integer and half-integer lattice: every shared edge, corner and hole edge of this set
        for x in stride(from: -1.0, through: 41.0, by: 0.5) {
            for y in stride(from: -1.0, through: 21.0, by: 0.5) { points.append(Coordinate(x, y)) }
        }
        for bpp in [1, 16, 256, 4096] {
            try expectAgreement(polygons, points, semantics, bucketsPerPolygon: bpp, "hand-made, \(bpp) buckets per polygon")
        }
    }

    /// A bow-tie through its envelope's corners is not taken for a rectangle: GEOS reports it invalid
    /// (a locator over invalid polygons is an error, not a guess), and its repaired form agrees with GEOS.
    @Test(arguments: [PolygonLocator.Semantics.contains, .covers])
    func bowTieThroughCornersIsNotARectangle(_ semantics: PolygonLocator.Semantics) throws {
        let bowTie = try Geometry(wkt: "POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))")
        #expect(throws: SpatialError.self) { try PolygonLocator([bowTie], semantics: semantics) }
        let repaired = [try bowTie.makeValid()]
        var points = SplitMix64.points(seed: 3, count: 5_000, in: Envelope(minX: -1, minY: -1, maxX: 11, maxY: 11))
        points += [Coordinate(5, 2), Coordinate(2, 5), Coordinate(5, 8), Coordinate(8, 5)]  // in and out of the lobes
        for bpp in [1, 64, 1024] {
            try expectAgreement(repaired, points, semantics, bucketsPerPolygon: bpp, "repaired bow-tie, \(bpp) buckets per polygon")
        }
        let locator = try PolygonLocator(repaired, semantics: semantics)
        #expect(try locator.locate(Coordinate(5, 2)) == nil)  // between the lobes
        #expect(try locator.locate(Coordinate(2, 5)) == 0)  // in the left lobe
    }

    // MARK: (c) degenerate inputs

    @Test func emptyInput() throws {
        for semantics in [PolygonLocator.Semantics.contains, .covers] {
            let locator = try PolygonLocator([], semantics: semantics)
            #expect(locator.count == 0)
            for c in [Coordinate(0, 0), Coordinate(1, 1), Coordinate(-5, 3)] { #expect(try locator.locate(c) == nil) }
            #expect(try locator.locate([Coordinate(0, 0), Coordinate(2, 2)]) == [-1, -1])
            #expect(try locator.locate(x: [], y: []) == [])
        }
        // inputs that hold no polygon area: empty and non-polygonal geometries
        let nothing = try PolygonLocator([.geometryCollection([]), .point(x: 1, y: 1), try Geometry(wkt: "LINESTRING (0 0, 2 2)")])
        #expect(nothing.count == 3)
        for c in [Coordinate(1, 1), Coordinate(0, 0), Coordinate(0.5, 0.5)] { #expect(try nothing.locate(c) == nil) }
    }

    @Test func singlePolygon() throws {
        // a rectangle (the locator's shortcut) and a triangle (asked of GEOS)
        let shapes = [
            ("square", "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))", Coordinate(3, 7)),
            ("triangle", "POLYGON ((0 0, 10 0, 0 10, 0 0))", Coordinate(2, 3)),
        ]
        for (name, wkt, inside) in shapes {
            let g = try Geometry(wkt: wkt)
            let covers = try PolygonLocator([g], semantics: .covers)
            let contains = try PolygonLocator([g], semantics: .contains)
            #expect(covers.count == 1)
            #expect(try covers.locate(inside) == 0 && contains.locate(inside) == 0, "\(name)")
            #expect(try covers.locate(Coordinate(11, 5)) == nil && contains.locate(Coordinate(11, 5)) == nil, "\(name)")
            for edge in [Coordinate(0, 0), Coordinate(5, 0), Coordinate(0, 5), Coordinate(10, 0)] {
                #expect(try covers.locate(edge) == 0, "\(name) covers \(edge)")
                #expect(try contains.locate(edge) == nil, "\(name) contains \(edge)")
            }
            let points = SplitMix64.points(seed: 5, count: 2000, in: Envelope(minX: -1, minY: -1, maxX: 11, maxY: 11))
            for semantics in [PolygonLocator.Semantics.contains, .covers] {
                try expectAgreement([g], points + boundaryPoints([g]), semantics, name)
            }
        }
    }

    // MARK: (d) how the buckets are classified

    /// Grid cells are stored as one-part multipolygons: an axis-aligned one is a rectangle to the locator (no GEOS
    /// call), like the same polygon, with GEOS's answers.
    @Test(arguments: [PolygonLocator.Semantics.contains, .covers])
    func onePartMultipolygonRectanglesAreRectangles(_ semantics: PolygonLocator.Semantics) throws {
        var cells: [Geometry] = []
        for i in 0..<4 {
            for j in 0..<3 {
                let (x, y) = (Double(i) * 10, Double(j) * 10)
                cells.append(try Geometry(wkt: "MULTIPOLYGON (((\(x) \(y), \(x + 10) \(y), \(x + 10) \(y + 10), \(x) \(y + 10), \(x) \(y))))"))
            }
        }
        cells.append(try Geometry(wkt: "MULTIPOLYGON (((50 0, 60 0, 60 10, 50 10, 50 0)), ((70 0, 80 0, 80 10, 70 10, 70 0)))"))  // two parts
        let locator = try PolygonLocator(cells, semantics: semantics, bucketsPerPolygon: 64)
        #expect(locator.statistics.rectangles == 12)
        #expect(try locator.locate(Coordinate(15, 25)) == 5)  // column 1, row 2
        #expect(try locator.locate(Coordinate(10, 10)) == (semantics == .covers ? 0 : nil))  // corner of 0, 1, 3 and 4
        #expect(try locator.locate(Coordinate(75, 5)) == 12)
        let points = SplitMix64.points(seed: 8, count: 5_000, in: Envelope(minX: -1, minY: -1, maxX: 81, maxY: 31)) + boundaryPoints(cells)
        try expectAgreement(cells, points, semantics, bucketsPerPolygon: 64, "one-part multipolygon squares")
    }

    /// Overlapping shapes that are not rectangles (vendor zones, exclusion buffers): in the overlap the lowest index
    /// wins, as GEOS asked in index order says, at every raster resolution.
    @Test(arguments: [PolygonLocator.Semantics.contains, .covers])
    func overlappingShapesLowestIndexWins(_ semantics: PolygonLocator.Semantics) throws {
        let shapes = [
            try Geometry(wkt: "POINT (0 0)").buffered(by: 10),
            try Geometry(wkt: "POINT (8 0)").buffered(by: 10),
            try Geometry(wkt: "POLYGON ((-20 -3, 30 -3, 5 30, -20 -3))"),
        ]
        for bpp in [1, 64, 1024] {
            let locator = try PolygonLocator(shapes, semantics: semantics, bucketsPerPolygon: bpp)
            #expect(try locator.locate(Coordinate(4, 0)) == 0, "\(bpp)")  // in all three
            #expect(try locator.locate(Coordinate(15, 0)) == 1, "\(bpp)")  // in 1 and 2
            #expect(try locator.locate(Coordinate(5, 20)) == 2, "\(bpp)")  // in 2 only
            #expect(try locator.locate(Coordinate(-15, -8)) == nil, "\(bpp)")
            let points = SplitMix64.points(seed: 12, count: 5_000, in: Envelope(minX: -21, minY: -11, maxX: 31, maxY: 31)) + boundaryPoints(shapes)
            try expectAgreement(shapes, points, semantics, bucketsPerPolygon: bpp, "overlapping shapes, \(bpp) buckets per polygon")
        }
    }

    /// Buckets are asked of GEOS in blocks, split only where the boundary crosses: the raster's pure, empty and
    /// mixed buckets are exactly those of asking GEOS about every bucket rectangle, with far fewer calls.
    @Test func blockClassificationMatchesEveryBucketAskedOfGEOS() throws {
        let shapes = [
            try Geometry(wkt: "POINT (0 0)").buffered(by: 10, quadrantSegments: 16),  // a disc
            try Geometry(wkt: "POLYGON ((0 0, 30 0, 30 4, 4 4, 4 26, 30 26, 30 30, 0 30, 0 0), (1 1, 2 1, 2 2, 1 1))"),  // a C with a hole
            try Geometry(wkt: "MULTIPOLYGON (((0 0, 10 0, 0 10, 0 0)), ((20 20, 30 20, 30 30, 20 20)))"),  // two triangles
        ]
        for (n, shape) in shapes.enumerated() {
            let locator = try PolygonLocator([shape], semantics: .covers, bucketsPerPolygon: 4096)
            let stats = locator.statistics
            let e = try #require(shape.envelope)
            let s = stats.bucketSize
            let nx = max(1, Int((e.width / s).rounded(.up))), ny = max(1, Int((e.height / s).rounded(.up)))
            #expect(nx * ny == stats.buckets)
            let prepared = try PreparedGeometry(shape)
            var (pure, empty) = (0, 0)
            for j in 0..<ny {
                for i in 0..<nx {
                    let (xa, ya) = (e.minX + Double(i) * s, e.minY + Double(j) * s)
                    let (xb, yb) = (e.minX + Double(i + 1) * s, e.minY + Double(j + 1) * s)
                    let box = try Geometry(wkt: "POLYGON ((\(xa) \(ya), \(xb) \(ya), \(xb) \(yb), \(xa) \(yb), \(xa) \(ya)))")
                    if try prepared.covers(box) { pure += 1 } else if !(try prepared.intersects(box)) { empty += 1 }
                }
            }
            #expect(stats.pure == pure && stats.empty == empty && stats.mixed == stats.buckets - pure - empty,
                    "shape \(n): \(stats) against GEOS per bucket: \(pure) pure, \(empty) empty")
            #expect(stats.rectangles == 0 && stats.geosBucketTests > 0 && stats.geosBucketTests < stats.buckets / 2,
                    "shape \(n): \(stats.geosBucketTests) GEOS tests for \(stats.buckets) buckets")
        }
    }
}
