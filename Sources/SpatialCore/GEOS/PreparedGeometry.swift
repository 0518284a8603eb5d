internal import CGEOS

/// The binary predicates, for prepared geometries and index queries. `predicate(a, b)` reads
/// "a predicate b": `.within` asks whether a lies within b.
public enum SpatialPredicate: Hashable, Sendable {
    case intersects, disjoint, contains, containsProperly, within, covers, coveredBy, touches, crosses, overlaps
    /// Within `distance` (coordinates' units) of each other.
    case dwithin(Double)
}

/// A geometry prepared for many repeated predicate tests against other geometries (GEOSPrepare):
/// indexes its segments once, so each test costs O(log n) instead of O(n).
/// Not thread-safe; give each task or worker its own.
public final class PreparedGeometry {
    public let geometry: Geometry
    let base: GEOSHandle  // the prepared geometry must not outlive its base
    let ptr: OpaquePointer

    public init(_ geometry: Geometry) throws {
        let ctx = GEOSContext()
        self.geometry = geometry
        base = try geometry.geos(ctx)
        guard let p = GEOSPrepare_r(ctx.handle, base.ptr) else { throw ctx.error("prepare failed") }
        ptr = p
    }

    /// Prepares a geometry already in GEOS (used by indexes that hold handles).
    init(handle: GEOSHandle, geometry: Geometry) throws {
        self.geometry = geometry
        base = handle
        guard let p = GEOSPrepare_r(handle.h, handle.ptr) else { throw handle.context.error("prepare failed") }
        ptr = p
    }

    deinit { GEOSPreparedGeom_destroy_r(base.h, ptr) }

    /// Evaluates `predicate(self, other)`.
    public func evaluate(_ predicate: SpatialPredicate, _ other: Geometry) throws -> Bool {
        let o = try other.geos(base.context)
        return try evaluate(predicate, raw: o.ptr)
    }

    func evaluate(_ predicate: SpatialPredicate, raw g: OpaquePointer) throws -> Bool {
        let h = base.h
        let r: CChar = switch predicate {  // 1 true, 0 false, 2 exception
        case .intersects: GEOSPreparedIntersects_r(h, ptr, g)
        case .disjoint: GEOSPreparedDisjoint_r(h, ptr, g)
        case .contains: GEOSPreparedContains_r(h, ptr, g)
        case .containsProperly: GEOSPreparedContainsProperly_r(h, ptr, g)
        case .within: GEOSPreparedWithin_r(h, ptr, g)
        case .covers: GEOSPreparedCovers_r(h, ptr, g)
        case .coveredBy: GEOSPreparedCoveredBy_r(h, ptr, g)
        case .touches: GEOSPreparedTouches_r(h, ptr, g)
        case .crosses: GEOSPreparedCrosses_r(h, ptr, g)
        case .overlaps: GEOSPreparedOverlaps_r(h, ptr, g)
        case .dwithin(let d): GEOSPreparedDistanceWithin_r(h, ptr, g, d)
        }
        return try base.context.bool(r, "prepared \(predicate)")
    }

    public func intersects(_ other: Geometry) throws -> Bool { try evaluate(.intersects, other) }
    public func contains(_ other: Geometry) throws -> Bool { try evaluate(.contains, other) }
    public func covers(_ other: Geometry) throws -> Bool { try evaluate(.covers, other) }
    public func within(_ other: Geometry) throws -> Bool { try evaluate(.within, other) }
    public func isWithin(distance: Double, of other: Geometry) throws -> Bool { try evaluate(.dwithin(distance), other) }

    /// Whether the point lies in the interior (boundary points are not contained).
    public func contains(_ c: Coordinate) throws -> Bool { try evaluate(.contains, point: c) }
    /// Whether the point lies in the interior or on the boundary.
    public func covers(_ c: Coordinate) throws -> Bool { try evaluate(.covers, point: c) }

    /// Evaluates `predicate(self, point)` with a short-lived GEOS point (GEOS 3.11 has no *XY predicates;
    /// a point's cached envelope forbids reusing one point by overwriting its coordinates).
    func evaluate(_ predicate: SpatialPredicate, point c: Coordinate) throws -> Bool {
        guard let p = GEOSGeom_createPointFromXY_r(base.h, c.x, c.y) else { throw base.context.error("point") }
        defer { GEOSGeom_destroy_r(base.h, p) }
        return try evaluate(predicate, raw: p)
    }

    /// Distance from this geometry to `other`, using the prepared index.
    public func distance(to other: Geometry) throws -> Double {
        let o = try other.geos(base.context)
        return try base.context.double("prepared distance") { GEOSPreparedDistance_r(base.h, ptr, o.ptr, $0) }
    }
}

