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

    /// Well-Known Text, shortest round-trip precision (`trim`), e.g. `POINT (1 2)`.
    public var wkt: String { (try? wkt(precision: nil)) ?? "" }

    /// Well-Known Text with `precision` decimals (nil: as many as needed to read back the same doubles).
    public func wkt(precision: Int?) throws -> String {
        let ctx = GEOSContext()
        let g = try geos(ctx)
        guard let writer = GEOSWKTWriter_create_r(ctx.handle) else { throw ctx.error("WKT writer") }
        defer { GEOSWKTWriter_destroy_r(ctx.handle, writer) }
        GEOSWKTWriter_setTrim_r(ctx.handle, writer, 1)
        GEOSWKTWriter_setRoundingPrecision_r(ctx.handle, writer, Int32(precision ?? 17))
        GEOSWKTWriter_setOutputDimension_r(ctx.handle, writer, 2)
        guard let s = GEOSWKTWriter_write_r(ctx.handle, writer, g.ptr) else { throw ctx.error("writing WKT") }
        defer { GEOSFree_r(ctx.handle, s) }
        return String(cString: s)
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
