// Writing RFC 7946 GeoJSON as UTF-8 bytes: an encoder that appends to a caller's buffer, and
// streaming writers that hand fixed-size chunks to a sink, so that exporting millions of
// features keeps memory flat.

/// Appends RFC 7946 GeoJSON text to a byte buffer.
///
/// Polygons are written with the right-hand rule (exterior counter-clockwise, holes clockwise:
/// rings are reversed on the fly where needed), positions as `[x,y]`, no `crs` member.
public struct GeoJSONEncoder: Sendable {
    /// Decimals per coordinate (nil: shortest round-trip text).
    public let precision: Int?
    let numbers: GeoJSONNumberFormat

    /// - Parameter precision: decimals per coordinate and bbox value (correctly rounded from the exact value, exact ties away from
    ///   zero, trailing zeros trimmed); nil, or more than 15, writes the shortest text that reads
    ///   back to the same double.
    public init(precision: Int? = nil) {
        self.precision = precision
        numbers = GeoJSONNumberFormat(precision: precision)
    }

    /// Appends a geometry object.
    public func append(_ geometry: Geometry, to out: inout [UInt8]) {
        switch geometry {
        case .point(let p):
            out.appendASCII(#"{"type":"Point","coordinates":"#)
            position(p.coordinate, &out)
        case .lineString(let l):
            out.appendASCII(#"{"type":"LineString","coordinates":"#)
            positions(l.coordinates, reversed: false, &out)
        case .polygon(let p):
            out.appendASCII(#"{"type":"Polygon","coordinates":"#)
            polygon(p, &out)
        case .multiPoint(let m):
            out.appendASCII(#"{"type":"MultiPoint","coordinates":["#)
            for (i, p) in m.points.enumerated() {
                if i > 0 { out.append(0x2C) }
                position(p.coordinate, &out)
            }
            out.append(0x5D)
        case .multiLineString(let m):
            out.appendASCII(#"{"type":"MultiLineString","coordinates":["#)
            for (i, l) in m.lineStrings.enumerated() {
                if i > 0 { out.append(0x2C) }
                positions(l.coordinates, reversed: false, &out)
            }
            out.append(0x5D)
        case .multiPolygon(let m):
            out.appendASCII(#"{"type":"MultiPolygon","coordinates":["#)
            for (i, p) in m.polygons.enumerated() {
                if i > 0 { out.append(0x2C) }
                polygon(p, &out)
            }
            out.append(0x5D)
        case .geometryCollection(let g):
            out.appendASCII(#"{"type":"GeometryCollection","geometries":["#)
            for (i, x) in g.enumerated() {
                if i > 0 { out.append(0x2C) }
                append(x, to: &out)
            }
            out.append(0x5D)
        }
        out.append(0x7D)
    }

    /// Member names a feature's foreign members may not use in the output.
    static func isReservedInFeature(_ k: String) -> Bool {
        switch k {
        case "type", "id", "geometry", "properties", "bbox", "crs", "coordinates", "geometries": true
        default: false
        }
    }

    static func isReservedInCollection(_ k: String) -> Bool {
        switch k {
        case "type", "features", "bbox", "crs", "geometry", "properties", "coordinates", "geometries": true
        default: false
        }
    }

    /// Appends a Feature object: `type`, `id`, `bbox`, `geometry`, `properties`, then the
    /// foreign members.
    public func append(_ feature: Feature, to out: inout [UInt8]) {
        out.appendASCII(#"{"type":"Feature""#)
        if let id = feature.id {
            out.appendASCII(#","id":"#)
            switch id {
            case .string(let s): out.appendJSONString(s)
            case .int(let i): out.appendInt(i)
            case .number(let d): out.appendDouble(d)
            }
        }
        if let bbox = feature.bbox { self.bbox(bbox, &out) }
        out.appendASCII(#","geometry":"#)
        if let g = feature.geometry { append(g, to: &out) } else { out.appendASCII("null") }
        out.appendASCII(#","properties":"#)
        if let p = feature.properties { out.appendJSON(p) } else { out.appendASCII("null") }
        for m in feature.foreignMembers.members where !Self.isReservedInFeature(m.key) {
            out.append(0x2C)
            out.appendJSONString(m.key)
            out.append(0x3A)
            out.appendJSON(m.value)
        }
        out.append(0x7D)
    }

    /// Appends a FeatureCollection object, one feature per line.
    public func append(_ collection: FeatureCollection, to out: inout [UInt8]) {
        appendHeader(bbox: collection.bbox, foreignMembers: collection.foreignMembers, to: &out)
        for (i, f) in collection.features.enumerated() {
            out.appendASCII(i == 0 ? "\n" : ",\n")
            append(f, to: &out)
        }
        appendFooter(empty: collection.features.isEmpty, to: &out)
    }

    /// `{"type":"FeatureCollection",<foreign members>,"bbox":[...],"features":[`.
    func appendHeader(bbox: [Double]?, foreignMembers: JSONObject, to out: inout [UInt8]) {
        out.appendASCII(#"{"type":"FeatureCollection""#)
        for m in foreignMembers.members where !Self.isReservedInCollection(m.key) {
            out.append(0x2C)
            out.appendJSONString(m.key)
            out.append(0x3A)
            out.appendJSON(m.value)
        }
        if let bbox { self.bbox(bbox, &out) }
        out.appendASCII(#","features":["#)
    }

    func appendFooter(empty: Bool, to out: inout [UInt8]) {
        out.appendASCII(empty ? "]}" : "\n]}")
    }

    // MARK: Parts

    @inline(__always)
    func position(_ c: Coordinate, _ out: inout [UInt8]) {
        out.append(0x5B)
        numbers.append(c.x, to: &out)
        out.append(0x2C)
        numbers.append(c.y, to: &out)
        out.append(0x5D)
    }

    func positions(_ cs: [Coordinate], reversed: Bool, _ out: inout [UInt8]) {
        out.append(0x5B)
        if reversed {
            var first = true
            for c in cs.reversed() {
                if !first { out.append(0x2C) }
                first = false
                position(c, &out)
            }
        } else {
            for i in cs.indices {
                if i > 0 { out.append(0x2C) }
                position(cs[i], &out)
            }
        }
        out.append(0x5D)
    }

    /// Rings with RFC 7946 winding, as `Polygon.orientedRFC7946()` gives, without copying.
    func polygon(_ p: Polygon, _ out: inout [UInt8]) {
        out.append(0x5B)
        positions(p.exterior.coordinates, reversed: p.exterior.isClockwise, &out)
        for h in p.holes {
            out.append(0x2C)
            positions(h.coordinates, reversed: h.isCounterClockwise, &out)
        }
        out.append(0x5D)
    }

    func bbox(_ b: [Double], _ out: inout [UInt8]) {
        out.appendASCII(#","bbox":["#)
        for (i, v) in b.enumerated() {
            if i > 0 { out.append(0x2C) }
            numbers.append(v, to: &out)
        }
        out.append(0x5D)
    }
}

/// Streams a FeatureCollection: the header when created, the features as they come, the
/// closing brackets in `finish()`. Text is handed to `sink` in chunks of about `chunkSize`
/// bytes, so memory stays flat however many features pass through.
///
/// ```swift
/// let writer = GeoJSONWriter(precision: 7) { chunk in try file.write(contentsOf: chunk) }
/// for f in features { try writer.write(f) }
/// try writer.finish()
/// ```
/// Not thread-safe: use one writer from one task.
public final class GeoJSONWriter {
    private let encoder: GeoJSONEncoder
    private let sink: ([UInt8]) throws -> Void
    private let chunkSize: Int
    private var buffer: [UInt8] = []
    private var finished = false
    /// The number of features written so far.
    public private(set) var count = 0

    /// - Parameters:
    ///   - precision: decimals per coordinate, see `GeoJSONEncoder`.
    ///   - bbox, foreignMembers: written in the collection's header (`crs` is skipped).
    ///   - chunkSize: the buffer size that triggers a call to `sink`.
    ///   - sink: receives consecutive pieces of the UTF-8 text.
    public init(
        precision: Int? = nil, bbox: [Double]? = nil, foreignMembers: JSONObject = [:], chunkSize: Int = 1 << 16,
        sink: @escaping ([UInt8]) throws -> Void
    ) {
        encoder = GeoJSONEncoder(precision: precision)
        self.sink = sink
        self.chunkSize = max(1, chunkSize)
        buffer.reserveCapacity(self.chunkSize + 4096)
        encoder.appendHeader(bbox: bbox, foreignMembers: foreignMembers, to: &buffer)
    }

    /// Appends one feature.
    public func write(_ feature: Feature) throws {
        precondition(!finished, "GeoJSONWriter.write after finish()")
        buffer.appendASCII(count == 0 ? "\n" : ",\n")
        encoder.append(feature, to: &buffer)
        count += 1
        if buffer.count >= chunkSize { try flush() }
    }

    /// Appends one feature that `body` writes as JSON text itself (a complete Feature object), for writers
    /// that assemble features from database columns without building `Feature` values.
    public func write(encoded body: (inout [UInt8]) throws -> Void) throws {
        precondition(!finished, "GeoJSONWriter.write after finish()")
        buffer.appendASCII(count == 0 ? "\n" : ",\n")
        try body(&buffer)
        count += 1
        if buffer.count >= chunkSize { try flush() }
    }

    /// Closes the collection and hands the rest of the text to the sink. Call it once.
    public func finish() throws {
        precondition(!finished, "GeoJSONWriter.finish called twice")
        finished = true
        encoder.appendFooter(empty: count == 0, to: &buffer)
        try flush()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Streams GeoJSON Text Sequences (RFC 8142): every text preceded by RS (0x1E) and followed by
/// LF. With `recordSeparator: false` it writes newline-delimited GeoJSON (GeoJSONL) instead.
/// Text reaches `sink` in chunks of about `chunkSize` bytes; call `flush()` at the end.
/// Not thread-safe: use one writer from one task.
public final class GeoJSONSeqWriter {
    private let encoder: GeoJSONEncoder
    private let sink: ([UInt8]) throws -> Void
    private let chunkSize: Int
    private let recordSeparator: Bool
    private var buffer: [UInt8] = []
    /// The number of records written so far.
    public private(set) var count = 0

    public init(
        precision: Int? = nil, recordSeparator: Bool = true, chunkSize: Int = 1 << 16,
        sink: @escaping ([UInt8]) throws -> Void
    ) {
        encoder = GeoJSONEncoder(precision: precision)
        self.sink = sink
        self.chunkSize = max(1, chunkSize)
        self.recordSeparator = recordSeparator
        buffer.reserveCapacity(self.chunkSize + 4096)
    }

    /// Appends a Feature record.
    public func write(_ feature: Feature) throws {
        if recordSeparator { buffer.append(0x1E) }
        encoder.append(feature, to: &buffer)
        try endRecord()
    }

    /// Appends a record that `body` writes as JSON text itself (a complete Feature object).
    public func write(encoded body: (inout [UInt8]) throws -> Void) throws {
        if recordSeparator { buffer.append(0x1E) }
        try body(&buffer)
        try endRecord()
    }

    /// Appends a geometry record.
    public func write(_ geometry: Geometry) throws {
        if recordSeparator { buffer.append(0x1E) }
        encoder.append(geometry, to: &buffer)
        try endRecord()
    }

    private func endRecord() throws {
        buffer.append(0x0A)
        count += 1
        if buffer.count >= chunkSize { try flush() }
    }

    /// Hands any buffered text to the sink.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
