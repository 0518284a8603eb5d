internal import CGEOS

// Conversion between the Swift geometry values and GEOS geometries.

extension Geometry {
    /// Builds the GEOS geometry for this value in `context`.
    func geos(_ context: GEOSContext) throws -> GEOSHandle {
        try context.own(makeGEOS(context), "building \(typeName)")
    }

    /// Returns an owned raw GEOS geometry (caller takes ownership) or nil on GEOS error.
    private func makeGEOS(_ ctx: GEOSContext) throws -> OpaquePointer? {
        let h = ctx.handle
        switch self {
        case .point(let p):
            return GEOSGeom_createPointFromXY_r(h, p.x, p.y)
        case .lineString(let l):
            if l.coordinates.isEmpty { return GEOSGeom_createEmptyLineString_r(h) }
            guard let seq = try Self.sequence(ctx, l.coordinates) else { return nil }
            return GEOSGeom_createLineString_r(h, seq)  // takes ownership of seq
        case .polygon(let p):
            return try Self.polygon(ctx, p)
        case .multiPoint(let m):
            return try Self.collection(ctx, GEOS_MULTIPOINT, m.points.map { Geometry.point($0) })
        case .multiLineString(let m):
            return try Self.collection(ctx, GEOS_MULTILINESTRING, m.lineStrings.map { Geometry.lineString($0) })
        case .multiPolygon(let m):
            return try Self.collection(ctx, GEOS_MULTIPOLYGON, m.polygons.map { Geometry.polygon($0) })
        case .geometryCollection(let g):
            return try Self.collection(ctx, GEOS_GEOMETRYCOLLECTION, g)
        }
    }

    private static func sequence(_ ctx: GEOSContext, _ coords: [Coordinate]) throws -> OpaquePointer? {
        // Coordinate is two Doubles laid out as x, y: GEOS copies the interleaved buffer directly.
        coords.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: Double.self) { d in
                GEOSCoordSeq_copyFromBuffer_r(ctx.handle, d.baseAddress, UInt32(coords.count), 0, 0)
            }
        }
    }

    private static func ring(_ ctx: GEOSContext, _ r: LinearRing) throws -> OpaquePointer {
        guard let seq = try sequence(ctx, r.coordinates) else { throw ctx.error("building ring") }
        guard let ring = GEOSGeom_createLinearRing_r(ctx.handle, seq) else { throw ctx.error("building ring") }
        return ring
    }

    private static func polygon(_ ctx: GEOSContext, _ p: Polygon) throws -> OpaquePointer? {
        let shell = try ring(ctx, p.exterior)
        var holes: [OpaquePointer?] = []
        do {
            for hole in p.holes { holes.append(try ring(ctx, hole)) }
        } catch {
            GEOSGeom_destroy_r(ctx.handle, shell)
            for h in holes { GEOSGeom_destroy_r(ctx.handle, h) }
            throw error
        }
        return holes.withUnsafeMutableBufferPointer { hb in
            GEOSGeom_createPolygon_r(ctx.handle, shell, hb.baseAddress, UInt32(hb.count))  // takes ownership
        }
    }

    private static func collection(_ ctx: GEOSContext, _ type: GEOSGeomTypes, _ parts: [Geometry]) throws -> OpaquePointer? {
        var raw: [OpaquePointer?] = []
        raw.reserveCapacity(parts.count)
        do {
            for p in parts {
                guard let g = try p.makeGEOS(ctx) else { throw ctx.error("building \(p.typeName)") }
                raw.append(g)
            }
        } catch {
            for g in raw { GEOSGeom_destroy_r(ctx.handle, g) }
            throw error
        }
        return raw.withUnsafeMutableBufferPointer { b in
            GEOSGeom_createCollection_r(ctx.handle, Int32(type.rawValue), b.baseAddress, UInt32(b.count))
        }
    }
}

extension GEOSHandle {
    /// Reads the GEOS geometry back into a Swift value.
    func geometry() throws -> Geometry {
        try Self.read(context, ptr)
    }

    private static func coords(_ ctx: GEOSContext, _ g: OpaquePointer) throws -> [Coordinate] {
        guard let seq = GEOSGeom_getCoordSeq_r(ctx.handle, g) else { throw ctx.error("reading coordinates") }
        var n: UInt32 = 0
        guard GEOSCoordSeq_getSize_r(ctx.handle, seq, &n) != 0 else { throw ctx.error("reading coordinates") }
        var out = [Coordinate](repeating: Coordinate(0, 0), count: Int(n))
        if n > 0 {
            let ok = out.withUnsafeMutableBufferPointer { buf in
                buf.withMemoryRebound(to: Double.self) { d in
                    GEOSCoordSeq_copyToBuffer_r(ctx.handle, seq, d.baseAddress, 0, 0)
                }
            }
            guard ok != 0 else { throw ctx.error("reading coordinates") }
        }
        return out
    }

    static func read(_ ctx: GEOSContext, _ g: OpaquePointer) throws -> Geometry {
        let h = ctx.handle
        let type = GEOSGeomTypeId_r(h, g)
        switch type {
        case Int32(GEOS_POINT.rawValue):
            if GEOSisEmpty_r(h, g) == 1 { return .geometryCollection([]) }
            var x = 0.0, y = 0.0
            guard GEOSGeomGetX_r(h, g, &x) == 1, GEOSGeomGetY_r(h, g, &y) == 1 else { throw ctx.error("reading point") }
            return .point(Point(x: x, y: y))
        case Int32(GEOS_LINESTRING.rawValue), Int32(GEOS_LINEARRING.rawValue):
            return .lineString(LineString(unchecked: try coords(ctx, g)))
        case Int32(GEOS_POLYGON.rawValue):
            if GEOSisEmpty_r(h, g) == 1 { return .multiPolygon(MultiPolygon([])) }
            return .polygon(try polygon(ctx, g))
        case Int32(GEOS_MULTIPOINT.rawValue), Int32(GEOS_MULTILINESTRING.rawValue),
            Int32(GEOS_MULTIPOLYGON.rawValue), Int32(GEOS_GEOMETRYCOLLECTION.rawValue):
            let n = GEOSGetNumGeometries_r(h, g)
            guard n >= 0 else { throw ctx.error("reading collection") }
            var parts: [Geometry] = []
            parts.reserveCapacity(Int(n))
            for i in 0..<n {
                guard let part = GEOSGetGeometryN_r(h, g, i) else { throw ctx.error("reading collection") }
                parts.append(try read(ctx, part))
            }
            switch type {
            case Int32(GEOS_MULTIPOINT.rawValue):
                return .multiPoint(MultiPoint(parts.compactMap { if case .point(let p) = $0 { p } else { nil } }))
            case Int32(GEOS_MULTILINESTRING.rawValue):
                return .multiLineString(MultiLineString(parts.compactMap { if case .lineString(let l) = $0 { l } else { nil } }))
            case Int32(GEOS_MULTIPOLYGON.rawValue):
                return .multiPolygon(MultiPolygon(parts.compactMap { if case .polygon(let p) = $0 { p } else { nil } }))
            default:
                return .geometryCollection(parts)
            }
        default:
            throw SpatialError.geos(message: "unsupported GEOS geometry type \(type)")
        }
    }

    private static func polygon(_ ctx: GEOSContext, _ g: OpaquePointer) throws -> Polygon {
        let h = ctx.handle
        guard let shell = GEOSGetExteriorRing_r(h, g) else { throw ctx.error("reading polygon") }
        let ext = LinearRing(unchecked: try coords(ctx, shell))
        let n = GEOSGetNumInteriorRings_r(h, g)
        guard n >= 0 else { throw ctx.error("reading polygon") }
        var holes: [LinearRing] = []
        for i in 0..<n {
            guard let r = GEOSGetInteriorRingN_r(h, g, i) else { throw ctx.error("reading polygon") }
            holes.append(LinearRing(unchecked: try coords(ctx, r)))
        }
        return Polygon(exterior: ext, holes: holes)
    }
}
