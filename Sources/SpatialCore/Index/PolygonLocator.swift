internal import CGEOS

/// Finds, for many points, the polygon of a set (a unit grid, a coverage) that contains each one.
///
/// This is UrbanGrid's one hand-written hot path, justified by the benchmark (`urbangrid-bench`, README):
/// a GEOS STRtree query per point costs more than the whole answer here before any predicate runs. The locator lays a
/// uniform bucket raster over the polygons and asks **GEOS** at build time whether each bucket
/// rectangle is covered by one polygon (prepared `covers`; blocks of buckets first, split only where
/// a polygon's boundary crosses them; axis-aligned rectangles by comparison). A query then costs
/// index arithmetic for points strictly inside such a "pure" bucket; every other point (in a bucket
/// that several polygons share, or exactly on a bucket edge) is decided by GEOS prepared
/// predicates, so the answers are GEOS's answers. The tests compare it with GEOS point by point.
///
/// Semantics: with `.contains` a point on a polygon's boundary is not in it; with `.covers` it is.
/// When several polygons qualify (overlaps, or a shared edge with `.covers`) the lowest index wins.
/// Not thread-safe; give each worker its own.
public final class PolygonLocator {
    public enum Semantics: Sendable { case contains, covers }

    public let semantics: Semantics
    public let count: Int
    private let context: GEOSContext
    private let polygons: [Geometry]
    /// GEOS objects are made on first use: grids of rectangles never need most of them.
    private var prepared: [PreparedGeometry?]
    private var fallbackIndex: SpatialIndex?
    /// Axis-aligned rectangles (most grid cells): their point test is exact comparison, no GEOS call.
    private let rectangles: [Envelope?]
    // bucket raster
    private let x0: Double, y0: Double, size: Double, inv: Double
    private let nx: Int, ny: Int
    private let maxX: Double, maxY: Double
    /// >= 0: pure bucket of that polygon; -1: empty; -2: mixed (see `offsets`/`candidates`).
    private var state: [Int32]
    private var offsets: [Int32] = []
    private var candidates: [Int32] = []
    private var mixedSlot: [Int32] = []

    public struct Statistics: Hashable, Sendable {
        public var buckets: Int, pure: Int, empty: Int, mixed: Int
        public var bucketSize: Double
        /// Polygons taken for axis-aligned rectangles (tested by comparison, never by GEOS).
        public var rectangles: Int
        /// GEOS rectangle tests made while classifying the buckets of the other polygons.
        public var geosBucketTests: Int
    }
    public private(set) var statistics: Statistics

    /// - Parameters:
    ///   - polygons: polygons or multipolygons (other kinds never contain a point's interior).
    ///   - bucketsPerPolygon: raster resolution target; more buckets, fewer GEOS calls per point.
    ///   - maxBuckets: memory cap (4 bytes each).
    /// - Throws: `SpatialError.geos` when GEOS cannot evaluate a polygon in a bucket test (an invalid one, e.g. a
    ///   bow-tie). The locator does not validate (only some buckets are tested, so an invalid polygon may pass the
    ///   build): validate or `makeValid()` first, as every import does.
    public init(_ polygons: [Geometry], semantics: Semantics = .covers,
                bucketsPerPolygon: Int = 1024, maxBuckets: Int = 4_000_000) throws {
        self.semantics = semantics
        count = polygons.count
        self.polygons = polygons
        context = GEOSContext()  // one context for the prepared polygons and the bucket tests
        prepared = [PreparedGeometry?](repeating: nil, count: polygons.count)
        let envelopes = polygons.map(\.envelope)
        rectangles = zip(polygons, envelopes).map { g, e in e.flatMap { Self.isRectangle(g, $0) ? $0 : nil } }
        let ext = Envelope.union(envelopes) ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0)
        let target = Double(max(1, min(maxBuckets, count * bucketsPerPolygon)))
        var s = ((ext.width * ext.height) / target).squareRoot()
        if !(s > 0) { s = max(ext.width, ext.height, 1) / target.squareRoot() }
        if !(s > 0) { s = 1 }
        x0 = ext.minX
        y0 = ext.minY
        maxX = ext.maxX
        maxY = ext.maxY
        size = s
        inv = 1 / s
        nx = max(1, Int((ext.width / s).rounded(.up)))
        ny = max(1, Int((ext.height / s).rounded(.up)))
        state = [Int32](repeating: -1, count: nx * ny)
        statistics = Statistics(buckets: nx * ny, pure: 0, empty: 0, mixed: 0, bucketSize: s,
                                rectangles: rectangles.count { $0 != nil }, geosBucketTests: 0)
        try classify(polygons, envelopes)
    }

    /// Prepares now every polygon GEOS may be asked about when locating points, with its point index built, so that
    /// no query pays for it (otherwise each is made on first use): what a service does at start. The bucket tests'
    /// segment indexes are not kept (they are released with their prepared polygons during the build).
    public func preparePolygons() throws {
        for k in polygons.indices where rectangles[k] == nil && polygons[k].isPolygonal {
            if let c = polygons[k].coordinates.first { _ = try preparedPolygon(k).evaluate(.covers, point: c) }
        }
    }

    @inline(__always) private func bx(_ i: Int) -> Double { x0 + Double(i) * size }
    @inline(__always) private func by(_ j: Int) -> Double { y0 + Double(j) * size }

    /// An axis-aligned rectangle: a 5-position ring through the envelope's corners whose edges are all
    /// axis-parallel (a bow-tie through the same corners has diagonal edges and is not one), as a polygon or as a
    /// multipolygon of that one polygon (how grid cells are stored).
    private static func isRectangle(_ g: Geometry, _ e: Envelope) -> Bool {
        let polygon: Polygon
        switch g {
        case .polygon(let p): polygon = p
        case .multiPolygon(let m) where m.polygons.count == 1: polygon = m.polygons[0]
        default: return false
        }
        guard polygon.holes.isEmpty, e.minX < e.maxX, e.minY < e.maxY else { return false }
        let c = polygon.exterior.coordinates
        guard c.count == 5 else { return false }
        for k in 0..<4 {
            let a = c[k], b = c[k + 1]
            guard a.x == e.minX || a.x == e.maxX, a.y == e.minY || a.y == e.maxY else { return false }
            guard (a.x == b.x) != (a.y == b.y) else { return false }  // exactly one coordinate changes
        }
        return true
    }


    /// The prepared polygon `k`, made on first use in the locator's context.
    private func preparedPolygon(_ k: Int) throws -> PreparedGeometry {
        if let p = prepared[k] { return p }
        let p = try PreparedGeometry(handle: polygons[k].geos(context), geometry: polygons[k])
        prepared[k] = p
        return p
    }

    /// The range of buckets (columns `i`, rows `j`) whose closed rectangles may meet the closed envelope.
    private func bucketRange(meeting e: Envelope) -> (i: ClosedRange<Int>, j: ClosedRange<Int>)? {
        let i0 = max(0, Int(((e.minX - x0) * inv).rounded(.down)) - 1), i1 = min(nx - 1, Int(((e.maxX - x0) * inv).rounded(.down)) + 1)
        let j0 = max(0, Int(((e.minY - y0) * inv).rounded(.down)) - 1), j1 = min(ny - 1, Int(((e.maxY - y0) * inv).rounded(.down)) + 1)
        guard i0 <= i1, j0 <= j1 else { return nil }
        return (i0...i1, j0...j1)
    }

    /// Calls `body(bucket, xa, xb, ya, yb)` for every bucket whose closed rectangle meets the closed envelope.
    private func forEachBucket(meeting e: Envelope, _ body: (Int, Double, Double, Double, Double) throws -> Void) rethrows {
        guard let (ir, jr) = bucketRange(meeting: e) else { return }
        for j in jr {
            let ya = by(j), yb = by(j + 1)
            if yb < e.minY || ya > e.maxY { continue }
            for i in ir {
                let xa = bx(i), xb = bx(i + 1)
                if xb < e.minX || xa > e.maxX { continue }
                try body(j * nx + i, xa, xb, ya, yb)
            }
        }
    }

    /// GEOS's answers for polygon `p` and the buckets of its envelope `e` that `needed` names: `body(bucket, covers,
    /// intersects)`. Asked of blocks of buckets first (a quadtree over the envelope's buckets): a block the polygon
    /// covers has every bucket covered, a block it does not meet has no bucket met, and only the blocks its boundary
    /// crosses are split, down to single buckets. The answers are those of asking each bucket's rectangle (a closed
    /// part of a covered block is covered, of a block not met is not met), with GEOS calls in proportion to the
    /// boundary rather than the area.
    private func classifyBuckets(of p: PreparedGeometry, in e: Envelope, needed: (Int) -> Bool,
                                 _ body: (Int, _ covers: Bool, _ intersects: Bool) -> Void) throws {
        guard let (ir, jr) = bucketRange(meeting: e) else { return }
        let h = context.handle
        var tests = 0
        func ask(_ xa: Double, _ ya: Double, _ xb: Double, _ yb: Double) throws -> (covers: Bool, intersects: Bool) {
            guard let box = GEOSGeom_createRectangle_r(h, xa, ya, xb, yb) else { throw context.error("bucket") }
            defer { GEOSGeom_destroy_r(h, box) }
            tests += 1
            if try p.evaluate(.covers, raw: box) { return (true, true) }
            return (false, try p.evaluate(.intersects, raw: box))
        }
        // every needed bucket of columns ia..<ib and rows ja..<jb
        func each(_ ia: Int, _ ib: Int, _ ja: Int, _ jb: Int, _ body: (Int) -> Void) {
            for j in ja..<jb {
                for i in ia..<ib where needed(j * nx + i) { body(j * nx + i) }
            }
        }
        func block(_ ia: Int, _ ib: Int, _ ja: Int, _ jb: Int) throws {
            // shrunk to the needed buckets' columns and rows
            var (ia2, ib2, ja2, jb2, n) = (ib, ia, jb, ja, 0)
            each(ia, ib, ja, jb) { b in
                let (i, j) = (b % nx, b / nx)
                (ia2, ib2, ja2, jb2, n) = (min(ia2, i), max(ib2, i + 1), min(ja2, j), max(jb2, j + 1), n + 1)
            }
            if n == 0 { return }
            let (ia, ib, ja, jb) = (ia2, ib2, ja2, jb2)
            let r = try ask(bx(ia), by(ja), bx(ib), by(jb))
            if r.covers || !r.intersects || n == 1 { return each(ia, ib, ja, jb) { body($0, r.covers, r.intersects) } }
            if ib - ia >= jb - ja {
                let m = (ia + ib) / 2
                try block(ia, m, ja, jb)
                try block(m, ib, ja, jb)
            } else {
                let m = (ja + jb) / 2
                try block(ia, ib, ja, m)
                try block(ia, ib, m, jb)
            }
        }
        try block(ir.lowerBound, ir.upperBound + 1, jr.lowerBound, jr.upperBound + 1)
        statistics.geosBucketTests += tests
    }

    /// Sorts the buckets into pure (covered by one polygon and reached by no other polygon's envelope), empty and
    /// mixed (with the polygons that may hold a point there, ascending). Only a bucket that exactly one envelope
    /// reaches into can be pure, so only those are asked of GEOS (of their one polygon): covered makes it pure, not
    /// met makes that polygon no candidate. A bucket several envelopes reach into is mixed, and its candidates are
    /// the polygons whose envelope meets it: its points are asked of GEOS one by one, which gives GEOS's answer
    /// whichever candidates the list holds, so no bucket-wide test is spent on it.
    private func classify(_ polygons: [Geometry], _ envelopes: [Envelope?]) throws {
        let nb = nx * ny
        var openHits = [Int32](repeating: 0, count: nb)  // polygon envelopes reaching into the open bucket
        var closedCount = [Int32](repeating: 0, count: nb)  // candidates: polygons meeting the closed bucket
        var coveredBy = [Int32](repeating: -1, count: nb)
        var notMeeting = [Int32](repeating: -1, count: nb)  // the one polygon of the bucket, when it does not meet it
        let polygonal = polygons.indices.compactMap { k -> (Int, Envelope)? in
            guard let e = envelopes[k], polygons[k].isPolygonal else { return nil }
            return (k, e)
        }
        func reachesInto(_ e: Envelope, _ xa: Double, _ xb: Double, _ ya: Double, _ yb: Double) -> Bool {
            xb > e.minX && xa < e.maxX && yb > e.minY && ya < e.maxY
        }
        // pass 1: which envelopes meet and reach into each bucket
        for (_, e) in polygonal {
            forEachBucket(meeting: e) { b, xa, xb, ya, yb in
                if reachesInto(e, xa, xb, ya, yb) { openHits[b] += 1 }
                closedCount[b] += 1
            }
        }
        // pass 2: the buckets one envelope reaches into, asked of their polygon
        for (k, e) in polygonal {
            if rectangles[k] != nil {  // the closed rectangle is its envelope: it meets every bucket that meets that
                forEachBucket(meeting: e) { b, xa, xb, ya, yb in
                    if openHits[b] == 1, xa >= e.minX && xb <= e.maxX && ya >= e.minY && yb <= e.maxY { coveredBy[b] = Int32(k) }
                }
                continue
            }
            let needed = { (b: Int) -> Bool in
                let i = b % self.nx, j = b / self.nx
                return openHits[b] == 1 && reachesInto(e, self.bx(i), self.bx(i + 1), self.by(j), self.by(j + 1))
            }
            try classifyBuckets(of: try preparedPolygon(k), in: e, needed: needed) { b, covers, intersects in
                if covers { coveredBy[b] = Int32(k) }
                if !intersects {
                    notMeeting[b] = Int32(k)
                    closedCount[b] -= 1
                }
            }
            // the bucket tests leave the prepared polygon holding GEOS's segment index for area predicates; points
            // need only its point locator, so it is made again on first use
            prepared[k] = nil
        }
        var mixedCount = 0
        mixedSlot = [Int32](repeating: -1, count: nb)
        offsets = [0]
        for b in 0..<nb {
            if coveredBy[b] >= 0 && openHits[b] == 1 {  // (only such buckets were asked)
                state[b] = coveredBy[b]
                statistics.pure += 1
            } else if closedCount[b] == 0 {
                state[b] = -1
                statistics.empty += 1
            } else {
                state[b] = -2
                mixedSlot[b] = Int32(mixedCount)
                mixedCount += 1
                offsets.append(offsets.last! + closedCount[b])
            }
        }
        statistics.mixed = mixedCount
        // pass 3: candidate lists (CSR) of the mixed buckets, polygons in ascending index order
        candidates = [Int32](repeating: 0, count: Int(offsets.last!))
        var fill = [Int32](repeating: 0, count: mixedCount)
        for (k, e) in polygonal {
            forEachBucket(meeting: e) { b, _, _, _, _ in
                let slot = Int(mixedSlot[b])
                guard slot >= 0, notMeeting[b] != Int32(k) else { return }
                candidates[Int(offsets[slot] + fill[slot])] = Int32(k)
                fill[slot] += 1
            }
        }
    }

    /// The index of the polygon holding `c`, or nil.
    public func locate(_ c: Coordinate) throws -> Int? {
        let r = try locateRaw(c.x, c.y)
        return r < 0 ? nil : Int(r)
    }

    /// Locates many points: one entry per point, -1 where no polygon holds it.
    public func locate(_ points: [Coordinate]) throws -> [Int32] {
        var out = [Int32](repeating: -1, count: points.count)
        try points.withUnsafeBufferPointer { p in
            for i in 0..<p.count { out[i] = try locateRaw(p[i].x, p[i].y) }
        }
        return out
    }

    /// Locates points given as separate x and y arrays.
    public func locate(x xs: [Double], y ys: [Double]) throws -> [Int32] {
        precondition(xs.count == ys.count, "x and y arrays differ in length")
        var out = [Int32](repeating: -1, count: xs.count)
        try xs.withUnsafeBufferPointer { xb in
            try ys.withUnsafeBufferPointer { yb in
                for i in 0..<xb.count { out[i] = try locateRaw(xb[i], yb[i]) }
            }
        }
        return out
    }

    @inline(__always) private func locateRaw(_ x: Double, _ y: Double) throws -> Int32 {
        guard x >= x0, x <= maxX, y >= y0, y <= maxY else { return -1 }  // outside every envelope
        let i = min(nx - 1, Int((x - x0) * inv)), j = min(ny - 1, Int((y - y0) * inv))
        let xa = bx(i), xb = bx(i + 1), ya = by(j), yb = by(j + 1)
        let s = state[j * nx + i]
        if s >= 0 {
            if x > xa && x < xb && y > ya && y < yb { return s }
        } else if x >= xa && x <= xb && y >= ya && y <= yb {
            if s == -1 { return -1 }
            let slot = Int(mixedSlot[j * nx + i])
            for c in offsets[slot]..<offsets[slot + 1] {
                let k = Int(candidates[Int(c)])
                if try test(k, x, y) { return Int32(k) }
            }
            return -1
        }
        return try fallback(x, y)
    }

    @inline(__always) private func test(_ k: Int, _ x: Double, _ y: Double) throws -> Bool {
        if let r = rectangles[k] {  // the same answer GEOS gives: axis-parallel edges need no orientation test
            return semantics == .covers ? (x >= r.minX && x <= r.maxX && y >= r.minY && y <= r.maxY)
                : (x > r.minX && x < r.maxX && y > r.minY && y < r.maxY)
        }
        return try preparedPolygon(k).evaluate(semantics == .covers ? .covers : .contains, point: Coordinate(x, y))
    }

    /// Points on a bucket edge (or misplaced by rounding): GEOS STRtree candidates, lowest index first.
    private func fallback(_ x: Double, _ y: Double) throws -> Int32 {
        if fallbackIndex == nil { fallbackIndex = try SpatialIndex(polygons) }
        for k in try fallbackIndex!.query(Envelope(minX: x, minY: y, maxX: x, maxY: y)) where try test(k, x, y) {
            return Int32(k)
        }
        return -1
    }
}

extension Geometry {
    var isPolygonal: Bool {
        switch self {
        case .polygon, .multiPolygon: true
        case .geometryCollection(let g): g.contains(where: \.isPolygonal)
        default: false
        }
    }
}
