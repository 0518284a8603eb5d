// GeoJSON Text Sequences (RFC 8142): each GeoJSON text preceded by RS (0x1E) and followed by
// LF. The newline-delimited variant (GeoJSONL / "GeoJSONSeq" without RS) is read too: if the
// input has any RS, records are split at RS (a record may then span lines); otherwise at LF.

/// Reading GeoJSON Text Sequences.
public enum GeoJSONSeq {
    /// Calls `body` with each record in turn (blank records skipped).
    /// - Throws: `SpatialError.parse(format: "GeoJSONSeq", location:, message:)` with
    ///   `location` like `record 5 (line 7)`, followed by the JSON path inside the record
    ///   (`record 5 (line 7), geometry.coordinates[1]`), or by the column for JSON syntax
    ///   errors (`record 5 (line 7, column 12)`); records count from 1. Errors thrown by `body`
    ///   pass through unchanged.
    public static func forEachRecord(in bytes: [UInt8], _ body: (GeoJSON) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { b in
            try forEachRecord(b, expect: .any) { try body($0) }
        }
    }

    /// All the records.
    public static func read(_ bytes: [UInt8]) throws -> [GeoJSON] {
        var out: [GeoJSON] = []
        try forEachRecord(in: bytes) { out.append($0) }
        return out
    }

    /// All the records of a text.
    public static func read(_ text: String) throws -> [GeoJSON] {
        var text = text
        var out: [GeoJSON] = []
        try text.withUTF8 { b in try forEachRecord(b, expect: .any) { out.append($0) } }
        return out
    }

    static func forEachRecord(
        _ b: UnsafeBufferPointer<UInt8>, expect: GeoJSONExpectation, _ body: (GeoJSON) throws -> Void
    ) throws {
        let n = b.count
        let separator: UInt8 = b.contains(0x1E) ? 0x1E : 0x0A
        var i = 0
        if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        var record = 0
        while i < n {
            var stop = i
            while stop < n, b[stop] != separator { stop += 1 }
            var reader = JSONReader(b, start: i, end: stop)
            i = stop + 1
            reader.skipWS()
            if reader.pos == reader.end { continue }  // blank line, or whitespace before the first RS
            record += 1
            let start = reader.pos
            let value: GeoJSON
            do throws(JSONFailure) {
                value = try reader.parseGeoJSONObject(expect)
                try reader.expectEnd()
            } catch {
                throw SpatialError.parse(
                    format: "GeoJSONSeq", location: location(of: error, record: record, start: start, in: b),
                    message: error.message)
            }
            try body(value)
        }
    }

    static func location(of f: JSONFailure, record: Int, start: Int, in b: UnsafeBufferPointer<UInt8>) -> String {
        let path = f.pathString
        let head: String
        if let offset = f.offset {
            let (l, c) = JSONFailure.lineAndColumn(of: offset, in: b)
            head = "record \(record) (line \(l), column \(c))"
        } else {
            head = "record \(record) (line \(JSONFailure.lineAndColumn(of: start, in: b).line))"
        }
        return path.isEmpty ? head : "\(head), \(path)"
    }
}

extension FeatureCollection {
    /// Reads a GeoJSON Text Sequence (RFC 8142, or newline-delimited) of Feature records.
    /// - Throws: `SpatialError.parse(format: "GeoJSONSeq", ...)`, see `GeoJSONSeq.forEachRecord`;
    ///   a record that is not a Feature is an error.
    public init(geoJSONSeq bytes: [UInt8]) throws {
        var features: [Feature] = []
        try bytes.withUnsafeBufferPointer { b in
            try GeoJSONSeq.forEachRecord(b, expect: .feature) { features.append($0.featureValue) }
        }
        self.init(features)
    }

    /// GeoJSON Text Sequence of the features: each preceded by RS and followed by LF (RFC 8142),
    /// or only followed by LF with `recordSeparator: false`. The collection's own members are
    /// not written (a sequence has no place for them).
    public func geoJSONSeq(precision: Int? = nil, recordSeparator: Bool = true) -> String {
        let encoder = GeoJSONEncoder(precision: precision)
        var out: [UInt8] = []
        for f in features {
            if recordSeparator { out.append(0x1E) }
            encoder.append(f, to: &out)
            out.append(0x0A)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
