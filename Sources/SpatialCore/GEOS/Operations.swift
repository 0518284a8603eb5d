internal import CGEOS

// GEOS operations on geometry values, named as OGC and GEOS name them. Each call makes its own
// GEOS context and converts the values in; hot loops use PreparedGeometry or SpatialIndex instead.

extension Geometry {
    func withGEOS<T>(_ body: (GEOSContext, GEOSHandle) throws -> T) throws -> T {
        let ctx = GEOSContext()
        return try body(ctx, try geos(ctx))
    }

    func withGEOS<T>(_ other: Geometry, _ body: (GEOSContext, GEOSHandle, GEOSHandle) throws -> T) throws -> T {
        let ctx = GEOSContext()
        return try body(ctx, try geos(ctx), try other.geos(ctx))
    }

    private func unary(_ what: String, _ op: (GEOSContextHandle_t, OpaquePointer) -> OpaquePointer?) throws -> Geometry {
        try withGEOS { ctx, g in try ctx.own(op(ctx.handle, g.ptr), what).geometry() }
    }

    private func binary(_ other: Geometry, _ what: String,
                        _ op: (GEOSContextHandle_t, OpaquePointer, OpaquePointer) -> OpaquePointer?) throws -> Geometry {
        try withGEOS(other) { ctx, a, b in try ctx.own(op(ctx.handle, a.ptr, b.ptr), what).geometry() }
    }

    private func predicate(_ other: Geometry, _ what: String,
                           _ op: (GEOSContextHandle_t, OpaquePointer, OpaquePointer) -> CChar) throws -> Bool {
        try withGEOS(other) { ctx, a, b in try ctx.bool(op(ctx.handle, a.ptr, b.ptr), what) }  // 2 = exception
    }

    // MARK: Predicates (DE-9IM)

    public func intersects(_ other: Geometry) throws -> Bool { try predicate(other, "intersects", GEOSIntersects_r) }
    public func disjoint(_ other: Geometry) throws -> Bool { try predicate(other, "disjoint", GEOSDisjoint_r) }
    public func contains(_ other: Geometry) throws -> Bool { try predicate(other, "contains", GEOSContains_r) }
    public func within(_ other: Geometry) throws -> Bool { try predicate(other, "within", GEOSWithin_r) }
    public func covers(_ other: Geometry) throws -> Bool { try predicate(other, "covers", GEOSCovers_r) }
    public func isCoveredBy(_ other: Geometry) throws -> Bool { try predicate(other, "coveredBy", GEOSCoveredBy_r) }
    public func touches(_ other: Geometry) throws -> Bool { try predicate(other, "touches", GEOSTouches_r) }
    public func crosses(_ other: Geometry) throws -> Bool { try predicate(other, "crosses", GEOSCrosses_r) }
    public func overlaps(_ other: Geometry) throws -> Bool { try predicate(other, "overlaps", GEOSOverlaps_r) }
    /// Topological equality (same point set), not coordinate-by-coordinate equality.
    public func topologicallyEquals(_ other: Geometry) throws -> Bool { try predicate(other, "equals", GEOSEquals_r) }

    /// True when the two geometries are within `distance` of each other (same units as the coordinates).
    public func isWithin(distance: Double, of other: Geometry) throws -> Bool {
        try withGEOS(other) { ctx, a, b in try ctx.bool(GEOSDistanceWithin_r(ctx.handle, a.ptr, b.ptr, distance), "dwithin") }
    }

    /// The DE-9IM intersection matrix, e.g. "FF2F11212".
    public func relate(_ other: Geometry) throws -> String {
        try withGEOS(other) { ctx, a, b in
            guard let s = GEOSRelate_r(ctx.handle, a.ptr, b.ptr) else { throw ctx.error("relate failed") }
            defer { GEOSFree_r(ctx.handle, s) }
            return String(cString: s)
        }
    }

    public func relate(_ other: Geometry, pattern: String) throws -> Bool {
        try withGEOS(other) { ctx, a, b in try ctx.bool(GEOSRelatePattern_r(ctx.handle, a.ptr, b.ptr, pattern), "relate pattern") }
    }

    // MARK: Measurement (planar, in the coordinates' units; see MetricMeasure for lon/lat input)

    public func area() throws -> Double { try withGEOS { ctx, g in try ctx.double("area") { GEOSArea_r(ctx.handle, g.ptr, $0) } } }
    public func length() throws -> Double { try withGEOS { ctx, g in try ctx.double("length") { GEOSLength_r(ctx.handle, g.ptr, $0) } } }

    public func distance(to other: Geometry) throws -> Double {
        try withGEOS(other) { ctx, a, b in try ctx.double("distance") { GEOSDistance_r(ctx.handle, a.ptr, b.ptr, $0) } }
    }

    public func hausdorffDistance(to other: Geometry) throws -> Double {
        try withGEOS(other) { ctx, a, b in try ctx.double("hausdorff") { GEOSHausdorffDistance_r(ctx.handle, a.ptr, b.ptr, $0) } }
    }

    /// The closest pair of points: the first on `self`, the second on `other`.
    public func nearestPoints(to other: Geometry) throws -> (Coordinate, Coordinate) {
        try withGEOS(other) { ctx, a, b in
            guard let seq = GEOSNearestPoints_r(ctx.handle, a.ptr, b.ptr) else { throw ctx.error("nearest points failed") }
            defer { GEOSCoordSeq_destroy_r(ctx.handle, seq) }
            var x0 = 0.0, y0 = 0.0, x1 = 0.0, y1 = 0.0
            guard GEOSCoordSeq_getXY_r(ctx.handle, seq, 0, &x0, &y0) == 1,
                GEOSCoordSeq_getXY_r(ctx.handle, seq, 1, &x1, &y1) == 1
            else { throw ctx.error("nearest points failed") }
            return (Coordinate(x0, y0), Coordinate(x1, y1))
        }
    }

    // MARK: Set operations

    public func intersection(with other: Geometry) throws -> Geometry { try binary(other, "intersection", GEOSIntersection_r) }
    public func union(with other: Geometry) throws -> Geometry { try binary(other, "union", GEOSUnion_r) }
    public func difference(with other: Geometry) throws -> Geometry { try binary(other, "difference", GEOSDifference_r) }
    public func symmetricDifference(with other: Geometry) throws -> Geometry { try binary(other, "symdifference", GEOSSymDifference_r) }
    /// Dissolves the parts of this geometry (a collection) into one.
    public func unaryUnion() throws -> Geometry { try unary("unary union", GEOSUnaryUnion_r) }

    /// Unions many geometries at once (cascaded, much faster than pairwise).
    public static func unaryUnion(_ geometries: [Geometry]) throws -> Geometry {
        try Geometry.geometryCollection(geometries).unaryUnion()
    }

    // MARK: Constructive

    public enum CapStyle: Sendable { case round, flat, square }
    public enum JoinStyle: Sendable { case round, mitre, bevel }

    /// The buffer at `distance` (coordinates' units), `quadrantSegments` segments per quarter circle.
    /// With `singleSided` (lines only; GEOS ignores the cap style then), the buffer lies on one side of the line: the
    /// left (seen along the line's direction) for a positive `distance`, the right for a negative one.
    public func buffered(by distance: Double, quadrantSegments: Int = 8, capStyle: CapStyle = .round,
                         joinStyle: JoinStyle = .round, mitreLimit: Double = 5, singleSided: Bool = false) throws -> Geometry {
        try withGEOS { ctx, g in
            let h = ctx.handle
            guard let params = GEOSBufferParams_create_r(h) else { throw ctx.error("buffer params") }
            defer { GEOSBufferParams_destroy_r(h, params) }
            let cap: GEOSBufCapStyles = switch capStyle {
            case .round: GEOSBUF_CAP_ROUND
            case .flat: GEOSBUF_CAP_FLAT
            case .square: GEOSBUF_CAP_SQUARE
            }
            let join: GEOSBufJoinStyles = switch joinStyle {
            case .round: GEOSBUF_JOIN_ROUND
            case .mitre: GEOSBUF_JOIN_MITRE
            case .bevel: GEOSBUF_JOIN_BEVEL
            }
            // setters return 0 on exception
            guard GEOSBufferParams_setEndCapStyle_r(h, params, Int32(cap.rawValue)) == 1,
                GEOSBufferParams_setJoinStyle_r(h, params, Int32(join.rawValue)) == 1,
                GEOSBufferParams_setMitreLimit_r(h, params, mitreLimit) == 1,
                GEOSBufferParams_setQuadrantSegments_r(h, params, Int32(quadrantSegments)) == 1,
                GEOSBufferParams_setSingleSided_r(h, params, singleSided ? 1 : 0) == 1
            else { throw ctx.error("buffer params") }
            return try ctx.own(GEOSBufferWithParams_r(h, g.ptr, params, distance), "buffer").geometry()
        }
    }

    public func convexHull() throws -> Geometry { try unary("convex hull", GEOSConvexHull_r) }
    /// GEOS's concave hull of the geometry's vertices (`GEOSConcaveHull_r`, GEOS ≥ 3.11): `ratio` 1 is the convex
    /// hull, smaller values follow the points more closely (0: the tightest hull).
    public func concaveHull(ratio: Double, allowHoles: Bool = false) throws -> Geometry {
        try unary("concave hull") { GEOSConcaveHull_r($0, $1, ratio, allowHoles ? 1 : 0) }
    }
    public func centroid() throws -> Geometry { try unary("centroid", GEOSGetCentroid_r) }
    /// A point guaranteed to lie inside the geometry (unlike the centroid of an L shape).
    public func pointOnSurface() throws -> Geometry { try unary("point on surface", GEOSPointOnSurface_r) }
    public func boundary() throws -> Geometry { try unary("boundary", GEOSBoundary_r) }
    public func envelopeGeometry() throws -> Geometry { try unary("envelope", GEOSEnvelope_r) }

    /// Douglas-Peucker simplification; with `preserveTopology` the result stays valid.
    public func simplified(tolerance: Double, preserveTopology: Bool = true) throws -> Geometry {
        try withGEOS { ctx, g in
            let r = preserveTopology ? GEOSTopologyPreserveSimplify_r(ctx.handle, g.ptr, tolerance)
                : GEOSSimplify_r(ctx.handle, g.ptr, tolerance)
            return try ctx.own(r, "simplify").geometry()
        }
    }

    /// The canonical form (GEOSNormalize): rings start at their lowest point, parts sorted.
    public func normalized() throws -> Geometry {
        try withGEOS { ctx, g in
            guard GEOSNormalize_r(ctx.handle, g.ptr) == 0 else { throw ctx.error("normalize failed") }  // -1 on exception
            return try g.geometry()
        }
    }

    // MARK: Validity

    public struct Validity: Hashable, Sendable {
        public var isValid: Bool
        /// GEOS's reason, e.g. "Self-intersection[5 5]"; "Valid Geometry" when valid.
        public var reason: String
        public var location: Coordinate?
    }

    public var isValid: Bool { get throws { try validity().isValid } }

    /// Validity with GEOS's reason and the offending location.
    public func validity() throws -> Validity {
        try withGEOS { ctx, g in
            var reason: UnsafeMutablePointer<CChar>?
            var location: OpaquePointer?
            let r = GEOSisValidDetail_r(ctx.handle, g.ptr, 0, &reason, &location)  // 1 valid, 0 invalid, 2 exception
            guard r != 2 else { throw ctx.error("isValid failed") }
            var loc: Coordinate?
            if let location {
                let at = GEOSHandle(context: ctx, owning: location)
                if case .point(let p) = try at.geometry() { loc = p.coordinate }
            }
            var text = "Valid Geometry"
            if let reason {
                text = String(cString: reason)
                GEOSFree_r(ctx.handle, reason)
            }
            if let loc, r == 0 { text += "[\(Self.num(loc.x)) \(Self.num(loc.y))]" }
            return Validity(isValid: r == 1, reason: text, location: loc)
        }
    }

    private static func num(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }

    public enum MakeValidMethod: Sendable { case linework, structure }

    /// Repairs an invalid geometry without losing vertices (GEOSMakeValidWithParams).
    public func makeValid(method: MakeValidMethod = .linework) throws -> Geometry {
        try withGEOS { ctx, g in
            guard let params = GEOSMakeValidParams_create_r(ctx.handle) else { throw ctx.error("make valid params") }
            defer { GEOSMakeValidParams_destroy_r(ctx.handle, params) }
            _ = GEOSMakeValidParams_setMethod_r(ctx.handle, params, method == .linework ? GEOS_MAKE_VALID_LINEWORK : GEOS_MAKE_VALID_STRUCTURE)
            if method == .structure { _ = GEOSMakeValidParams_setKeepCollapsed_r(ctx.handle, params, 0) }
            return try ctx.own(GEOSMakeValidWithParams_r(ctx.handle, g.ptr, params), "make valid").geometry()
        }
    }

    // MARK: Noding and polygonize

    /// Nodes a set of lines: every intersection becomes a vertex, output is a MultiLineString of pieces.
    public func noded() throws -> Geometry { try unary("node", GEOSNode_r) }

    /// Polygons formed by a set of (noded) lines. Lines that close no ring are left out.
    public static func polygonize(_ lines: [Geometry]) throws -> [Polygon] {
        let ctx = GEOSContext()
        let handles = try lines.map { try $0.geos(ctx) }
        let raw: [OpaquePointer?] = handles.map { $0.ptr }
        let result = try withExtendedLifetime(handles) {
            try raw.withUnsafeBufferPointer { b in try ctx.own(GEOSPolygonize_r(ctx.handle, b.baseAddress, UInt32(b.count)), "polygonize") }
        }
        switch try result.geometry() {
        case .geometryCollection(let parts): return parts.compactMap { if case .polygon(let p) = $0 { p } else { nil } }
        case .polygon(let p): return [p]
        case .multiPolygon(let m): return m.polygons
        default: return []
        }
    }

    // MARK: Linear referencing

    /// The point at `distance` along this line (clamped to its ends; negative counts from the end).
    public func interpolate(distance: Double) throws -> Geometry { try unary("interpolate") { GEOSInterpolate_r($0, $1, distance) } }
    /// The point at `fraction` (0...1) of the line's length.
    public func interpolate(fraction: Double) throws -> Geometry {
        try unary("interpolate") { GEOSInterpolateNormalized_r($0, $1, fraction) }
    }

    /// Distance along this line of the point on it nearest to `point` (GEOSProject).
    public func project(_ point: Geometry) throws -> Double {
        try withGEOS(point) { ctx, line, p in
            let d = GEOSProject_r(ctx.handle, line.ptr, p.ptr)  // -1 on exception
            if d == -1, ctx.lastError != nil { throw ctx.error("project failed") }
            return d
        }
    }
}
