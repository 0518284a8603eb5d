internal import CGEOS

// WKT and WKB reading and writing, through GEOS's readers and writers.

extension Geometry {
    /// Parses OGC Well-Known Text (`POINT (1 2)`, `POLYGON ((...))`, ...).
    /// - Throws: `SpatialError.parse(format: "WKT", ...)` with GEOS's message.
    public init(wkt: String) throws {
        let ctx = GEOSContext()
        guard let reader = GEOSWKTReader_create_r(ctx.handle) else { throw ctx.error("WKT reader") }
        defer { GEOSWKTReader_destroy_r(ctx.handle, reader) }
        guard let g = GEOSWKTReader_read_r(ctx.handle, reader, wkt) else {  // NULL = parse exception
            throw SpatialError.parse(format: "WKT", location: "text", message: ctx.lastError ?? "cannot parse")
        }
        self = try GEOSHandle(context: ctx, owning: g).geometry()
    }

    /// Well-Known Text with the shortest digits that read back to the same doubles, e.g. `POINT (0.1 2)`.
    public var wkt: String { Self.writeWKT(self, precision: nil) }

    /// Well-Known Text with `precision` decimals, trailing zeros trimmed (nil: as many as needed to read
    /// back the same doubles). Numbers are plain decimals, never exponents. Written here rather than by
    /// GEOS's writer, which (3.11) caps the decimals at 17, so |v| < 1e-4 lost digits (1.2345678901234568e-05
    /// became 0.00001234567890123), and whose MULTIPOINT spelling changed between versions.
    public func wkt(precision: Int?) throws -> String { Self.writeWKT(self, precision: precision) }

    private static func writeWKT(_ g: Geometry, precision: Int?) -> String {
        var out = ""
        func num(_ v: Double) -> String {
            precision == nil ? NumberText.plainDecimal(v) : NumberText.format(v, precision: precision)
        }
        func coords(_ cs: [Coordinate]) {
            out += "("
            for (i, c) in cs.enumerated() {
                if i > 0 { out += ", " }
                out += num(c.x) + " " + num(c.y)
            }
            out += ")"
        }
        func line(_ l: LineString) { if l.coordinates.isEmpty { out += "EMPTY" } else { coords(l.coordinates) } }
        func ring(_ r: LinearRing) { if r.coordinates.isEmpty { out += "EMPTY" } else { coords(r.coordinates) } }
        func polygon(_ p: Polygon) {
            out += "("
            ring(p.exterior)
            for h in p.holes {
                out += ", "
                ring(h)
            }
            out += ")"
        }
        func parts<T>(_ items: [T], _ body: (T) -> Void) {
            if items.isEmpty {
                out += " EMPTY"
                return
            }
            out += " ("
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                body(item)
            }
            out += ")"
        }
        func write(_ g: Geometry) {
            switch g {
            case .point(let p):
                out += "POINT "
                coords([p.coordinate])
            case .lineString(let l):
                out += "LINESTRING "
                line(l)
            case .polygon(let p):
                out += "POLYGON "
                polygon(p)
            case .multiPoint(let m):
                out += "MULTIPOINT"
                parts(m.points) { coords([$0.coordinate]) }  // OGC 06-103r4: MULTIPOINT ((1 2), (3 4))
            case .multiLineString(let m):
                out += "MULTILINESTRING"
                parts(m.lineStrings, line)
            case .multiPolygon(let m):
                out += "MULTIPOLYGON"
                parts(m.polygons, polygon)
            case .geometryCollection(let c):
                out += "GEOMETRYCOLLECTION"
                parts(c, write)
            }
        }
        write(g)
        return out
    }

    /// Parses OGC Well-Known Binary (either byte order; ISO or extended 2D).
    public init(wkb: [UInt8]) throws {
        let ctx = GEOSContext()
        guard let reader = GEOSWKBReader_create_r(ctx.handle) else { throw ctx.error("WKB reader") }
        defer { GEOSWKBReader_destroy_r(ctx.handle, reader) }
        let g = wkb.withUnsafeBufferPointer { GEOSWKBReader_read_r(ctx.handle, reader, $0.baseAddress, $0.count) }
        guard let g else {
            throw SpatialError.parse(format: "WKB", location: "\(wkb.count) bytes", message: ctx.lastError ?? "cannot parse")
        }
        self = try GEOSHandle(context: ctx, owning: g).geometry()
    }

    /// Well-Known Binary, little-endian, 2D.
    public var wkb: [UInt8] {
        get throws {
            let ctx = GEOSContext()
            let g = try geos(ctx)
            return try g.wkb()
        }
    }
}

extension GEOSHandle {
    func wkb() throws -> [UInt8] {
        guard let writer = GEOSWKBWriter_create_r(h) else { throw context.error("WKB writer") }
        defer { GEOSWKBWriter_destroy_r(h, writer) }
        GEOSWKBWriter_setByteOrder_r(h, writer, Int32(GEOS_WKB_NDR.rawValue))
        GEOSWKBWriter_setOutputDimension_r(h, writer, 2)
        var size = 0
        guard let buf = GEOSWKBWriter_write_r(h, writer, ptr, &size) else { throw context.error("writing WKB") }
        defer { GEOSFree_r(h, buf) }
        return Array(UnsafeBufferPointer(start: buf, count: size))
    }
}

/// Reads many WKB blobs with one GEOS context and reader (a fresh context per blob costs more than the
/// parse for small geometries). Not thread-safe: one per task.
public final class WKBReader {
    private let context = GEOSContext()
    private let reader: OpaquePointer

    public init() throws {
        guard let r = GEOSWKBReader_create_r(context.handle) else { throw context.error("WKB reader") }
        reader = r
    }

    deinit { GEOSWKBReader_destroy_r(context.handle, reader) }

    /// Parses one WKB blob (either byte order; ISO or extended 2D).
    public func read(_ bytes: UnsafeRawBufferPointer) throws -> Geometry {
        let g = GEOSWKBReader_read_r(
            context.handle, reader, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        guard let g else {
            throw SpatialError.parse(format: "WKB", location: "\(bytes.count) bytes", message: context.lastError ?? "cannot parse")
        }
        return try GEOSHandle(context: context, owning: g).geometry()
    }

    public func read(_ bytes: [UInt8]) throws -> Geometry { try bytes.withUnsafeBytes { try read($0) } }
}
