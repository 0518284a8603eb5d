internal import CGEOS

/// Finds, for many points, the polygon of a set (a unit grid, a coverage) that contains each one.
///
/// This is UrbanGrid's one hand-written hot path, justified by the benchmark (`urbangrid-bench`):
/// per-point GEOS STRtree queries cost ~0.5 µs before any predicate runs. The locator lays a
/// uniform bucket raster over the polygons and asks **GEOS** once per bucket, at build time,
/// whether the bucket rectangle is covered by one polygon (prepared `covers`). A query then costs
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
    private let prepared: [PreparedGeometry]
    /// Axis-aligned rectangles (most grid cells): their point test is exact comparison, no GEOS call.
    private let rectangles: [Envelope?]
    private let index: SpatialIndex
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
    }
    public private(set) var statistics: Statistics

    /// - Parameters:
    ///   - polygons: polygons or multipolygons (other kinds never contain a point's interior).
    ///   - bucketsPerPolygon: raster resolution target; more buckets, fewer GEOS calls per point.
    ///   - maxBuckets: memory cap (4 bytes each).
    public init(_ polygons: [Geometry], semantics: Semantics = .covers,
                bucketsPerPolygon: Int = 1024, maxBuckets: Int = 4_000_000) throws {
        self.semantics = semantics
        count = polygons.count
        index = try SpatialIndex(polygons)
        context = index.context  // one context for the index, the prepared cells and the bucket tests
        prepared = try zip(index.items, polygons).map { try PreparedGeometry(handle: $0.0, geometry: $0.1) }
        let envelopes = polygons.map(\.envelope)
        rectangles = zip(polygons, envelopes).map { g, e in e.flatMap { Self.isRectangle(g, $0) ? $0 : nil } }
        var extent: Envelope?
        for case let e? in envelopes { if extent == nil { extent = e } else { extent!.expand(toInclude: e) } }
        let ext = extent ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0)
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
        statistics = Statistics(buckets: nx * ny, pure: 0, empty: 0, mixed: 0, bucketSize: s)
        try classify(polygons, envelopes)
    }

    @inline(__always) private func bx(_ i: Int) -> Double { x0 + Double(i) * size }
    @inline(__always) private func by(_ j: Int) -> Double { y0 + Double(j) * size }

    private static func isRectangle(_ g: Geometry, _ e: Envelope) -> Bool {
        guard case .polygon(let p) = g, p.holes.isEmpty, p.exterior.coordinates.count == 5 else { return false }
        let corners: Set<Coordinate> = [
            Coordinate(e.minX, e.minY), Coordinate(e.maxX, e.minY), Coordinate(e.maxX, e.maxY), Coordinate(e.minX, e.maxY),
        ]
        return Set(p.exterior.coordinates.prefix(4)) == corners
    }

    private func classify(_ polygons: [Geometry], _ envelopes: [Envelope?]) throws {
        let nb = nx * ny
        var openHits = [Int32](repeating: 0, count: nb)  // polygon envelopes meeting the open bucket
        var coveredBy = [Int32](repeating: -1, count: nb)
        var closedCount = [Int32](repeating: 0, count: nb)
        var pairs: [(bucket: Int32, polygon: Int32)] = []
        let h = context.handle
        for (k, g) in polygons.enumerated() {
            guard let e = envelopes[k], g.isPolygonal else { continue }
            let rect = rectangles[k] != nil
            // bucket range whose closed rectangles meet the closed envelope
            let i0 = max(0, Int(((e.minX - x0) * inv).rounded(.down)) - 1), i1 = min(nx - 1, Int(((e.maxX - x0) * inv).rounded(.down)) + 1)
            let j0 = max(0, Int(((e.minY - y0) * inv).rounded(.down)) - 1), j1 = min(ny - 1, Int(((e.maxY - y0) * inv).rounded(.down)) + 1)
            if i0 > i1 || j0 > j1 { continue }
            for j in j0...j1 {
                let ya = by(j), yb = by(j + 1)
                if yb < e.minY || ya > e.maxY { continue }
                for i in i0...i1 {
                    let xa = bx(i), xb = bx(i + 1)
                    if xb < e.minX || xa > e.maxX { continue }
                    let b = j * nx + i
                    let openMeet = xb > e.minX && xa < e.maxX && yb > e.minY && ya < e.maxY
                    var meets = true
                    var covers = false
                    if rect {
                        covers = xa >= e.minX && xb <= e.maxX && ya >= e.minY && yb <= e.maxY
                    } else {  // GEOS decides for any other shape
                        guard let box = GEOSGeom_createRectangle_r(h, xa, ya, xb, yb) else { throw context.error("bucket") }
                        defer { GEOSGeom_destroy_r(h, box) }
                        covers = try prepared[k].evaluate(.covers, raw: box)
                        meets = try covers || prepared[k].evaluate(.intersects, raw: box)
                    }
                    if openMeet { openHits[b] += 1 }
                    if covers && coveredBy[b] < 0 { coveredBy[b] = Int32(k) }
                    if meets {
                        pairs.append((Int32(b), Int32(k)))
                        closedCount[b] += 1
                    }
                }
            }
        }
        // pure: covered by one polygon and no other envelope reaches into the open bucket
        var mixedCount = 0
        for b in 0..<nb {
            if coveredBy[b] >= 0 && openHits[b] == 1 {
                state[b] = coveredBy[b]
                statistics.pure += 1
            } else if closedCount[b] == 0 {
                state[b] = -1
                statistics.empty += 1
            } else {
                state[b] = -2
                mixedCount += 1
            }
        }
        statistics.mixed = mixedCount
        // candidate lists (CSR) for mixed buckets, polygons in ascending index order
        mixedSlot = [Int32](repeating: -1, count: nb)
        var slot: Int32 = 0
        offsets = [0]
        offsets.reserveCapacity(mixedCount + 1)
        for b in 0..<nb where state[b] == -2 {
            mixedSlot[b] = slot
            slot += 1
            offsets.append(offsets.last! + closedCount[b])
        }
        candidates = [Int32](repeating: 0, count: Int(offsets.last!))
        var fill = [Int32](repeating: 0, count: mixedCount)
        for (b, k) in pairs where state[Int(b)] == -2 {  // pairs are in ascending polygon order
            let s = Int(mixedSlot[Int(b)])
            candidates[Int(offsets[s] + fill[s])] = k
            fill[s] += 1
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
        return try prepared[k].evaluate(semantics == .covers ? .covers : .contains, point: Coordinate(x, y))
    }

    /// Points on a bucket edge (or misplaced by rounding): GEOS STRtree candidates, lowest index first.
    private func fallback(_ x: Double, _ y: Double) throws -> Int32 {
        for k in try index.query(Envelope(minX: x, minY: y, maxX: x, maxY: y)) where try test(k, x, y) {
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
