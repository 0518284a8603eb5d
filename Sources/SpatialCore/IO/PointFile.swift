import Foundation

extension FeatureFile {
    /// The points of a file, in order, as WGS84 lon/lat: the input of batch queries (`lookup --points`).
    ///
    /// The same files, rules and messages as `read(_:format:options:)` — CSV (`lon`,`lat` columns or `wkt`),
    /// GeoJSON, GeoJSONSeq, Shapefile — where every feature must be a point. A plain CSV file (no quotes,
    /// coordinate columns) is read straight from its bytes into coordinates, without a feature per row: a
    /// million-point file costs a tenth of a second instead of a second.
    public static func readPoints(_ path: String, format: Format? = nil, options: Options = Options()) throws -> [Coordinate] {
        let format = format ?? Format(path: path)
        guard let format, format != .shapefile else {
            return try points(read(path, format: format, options: options), name: path, place: { "feature \($0)" })
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpatialError.parse(format: format.rawValue, location: path, message: "cannot read the file")
        }
        return try parsePoints([UInt8](data), format: format, options: options, name: path)
    }

    /// What `readPoints` does with the bytes of a GeoJSON, GeoJSONSeq or CSV file; `name` stands for the file in
    /// error locations.
    public static func parsePoints(_ bytes: [UInt8], format: Format, options: Options = Options(), name: String) throws -> [Coordinate] {
        if format == .csv, options.idField == nil, var plain = try CSVPoints.read(bytes, path: name) {
            try finish(&plain, path: name, crs: options.crs)
            return plain.coordinates
        }
        let (features, place) = try parseLocated(bytes, format: format, options: options, name: name)
        return try points(features, name: name, place: place)
    }

    /// The point of every feature, or an error naming the first that is not one.
    private static func points(_ features: [Feature], name: String, place: (Int) -> String) throws -> [Coordinate] {
        try features.enumerated().map { i, f in
            guard case .point(let p)? = f.geometry else {
                let kind = f.geometry?.typeName ?? "no geometry"
                throw SpatialError.parse(format: "points", location: "\(name): \(place(i)), geometry", message: "expected a point, found \(kind)")
            }
            return p.coordinate
        }
    }

    /// To WGS84 and range checks, with the messages `check` gives for features.
    private static func finish(_ plain: inout CSVPoints, path: String, crs: CRS?) throws {
        func fail(_ i: Int, _ message: String) -> SpatialError {
            .parse(format: "import", location: "\(path): line \(plain.lines[i]), geometry", message: message)
        }
        if let i = plain.coordinates.firstIndex(where: { !$0.x.isFinite || !$0.y.isFinite }) {
            throw fail(i, "coordinate \(plain.coordinates[i]) is not a finite number")
        }
        if let crs, !crs.sameDefinition(as: .wgs84) {
            let original = plain.coordinates
            do { try CoordinateTransform(from: crs, to: .wgs84).apply(&plain.coordinates) } catch SpatialError.transformFailed(_, let x, let y, let message) {
                let i = original.firstIndex { $0.x == x && $0.y == y } ?? 0
                throw fail(i, "cannot transform (\(x), \(y)) from \(crs): \(message)")
            }
        }
        if let i = plain.coordinates.firstIndex(where: { !(-180...180).contains($0.x) || !(-90...90).contains($0.y) }) {
            throw fail(i, "longitude/latitude \(plain.coordinates[i]) out of range (lon -180..180, lat -90..90): wrong --crs or axis order?")
        }
    }
}

/// A CSV file of points read from its bytes: header, then one record per line, fields split at commas. Only
/// files without quote characters qualify (anything else goes through `CSVText`, which knows RFC 4180's
/// quoting); the accepted text and the errors are those of `CSVFeatures` for such files.
struct CSVPoints {
    var coordinates: [Coordinate] = []
    /// 1-based line of each point, for messages.
    var lines: [Int32] = []

    /// nil when the file is not plain (quotes, a `wkt` column, no coordinate columns): read it the general way.
    static func read(_ bytes: [UInt8], path: String) throws -> CSVPoints? {
        if bytes.isEmpty || bytes.withUnsafeBufferPointer({ memchr($0.baseAddress!, 0x22, $0.count) }) != nil { return nil }
        return try bytes.withUnsafeBufferPointer { b -> CSVPoints? in
            var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var line = 1
            // the header: the first non-blank line
            var header: [String] = []
            while i < b.count, header.isEmpty {
                let end = lineEnd(b, from: i)
                // split at the comma bytes, as CSVText and the body do (a comma followed by a combining mark is one
                // Character, so splitting the String would merge two columns; found by fuzzing)
                let bytes = b[i..<end].filter { $0 != 0x0D }
                if !bytes.isEmpty {
                    header = bytes.split(separator: 0x2C, omittingEmptySubsequences: false)
                        .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }
                }
                i = end + 1
                line += 1
            }
            let columns = CSVFeatures.coordinateColumns(header.map { $0.lowercased() })
            guard columns.wkt == nil, let lon = columns.lon, let lat = columns.lat else { return nil }
            // the body in parts cut at line ends, read on every core; the first part with an error reports it
            let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, (b.count - i) / (1 << 20)))
            var cuts = [i], firstLines = [line]
            for k in 1..<parts {
                let target = max(cuts[k - 1], i + (b.count - i) * k / parts)
                let cut = min(b.count, lineEnd(b, from: target) + 1)
                var n = 0, q = cuts[k - 1]
                while q < cut { q = lineEnd(b, from: q) + 1; n += 1 }
                cuts.append(cut)
                firstLines.append(firstLines[k - 1] + n)
            }
            cuts.append(b.count)
            var results = [Result<CSVPoints, any Error>](repeating: .success(CSVPoints()), count: parts)
            results.withUnsafeMutableBufferPointer { slots in
                nonisolated(unsafe) let slots = slots, b = b
                let (header, cuts, firstLines) = (header, cuts, firstLines)
                DispatchQueue.concurrentPerform(iterations: parts) { k in
                    slots[k] = Result { try body(b, cuts[k], cuts[k + 1], firstLine: firstLines[k], header: header, lon: lon, lat: lat, path: path) }
                }
            }
            var out = CSVPoints()
            for r in results {
                let part = try r.get()
                out.coordinates.append(contentsOf: part.coordinates)
                out.lines.append(contentsOf: part.lines)
            }
            guard !out.coordinates.isEmpty else { throw SpatialError.parse(format: "csv", location: path, message: "no features") }
            return out
        }
    }

    /// The records between `from` and `to` (both at line starts), `firstLine` being the number of the first.
    private static func body(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, firstLine: Int, header: [String],
                             lon: Int, lat: Int, path: String) throws -> CSVPoints {
        var out = CSVPoints()
        out.coordinates.reserveCapacity((to - from) / 32)
        out.lines.reserveCapacity((to - from) / 32)
        var number = NumberField()
        var i = from, line = firstLine
        while i < to {
            let end = min(to, lineEnd(b, from: i))
            defer { i = end + 1; line += 1 }
            // a blank line (CR only counts as nothing) is skipped, as CSVText does
            if b[i..<end].allSatisfy({ $0 == 0x0D }) { continue }
            var field = 0, start = i
            var x = Double.nan, y = Double.nan
            var k = i
            while true {
                if k == end || b[k] == 0x2C {
                    if field == lon || field == lat {
                        let text = { String(decoding: b[start..<k].filter { $0 != 0x0D }, as: UTF8.self) }
                        guard let v = number.parse(b, start, k) ?? CSVFeatures.number(text()) else {
                            throw SpatialError.parse(format: "CSV", location: "\(path): line \(line), column \(header[field])",
                                                     message: "not a number: '\(text())'")
                        }
                        if field == lon { x = v } else { y = v }
                    }
                    field += 1
                    start = k + 1
                    if k == end { break }
                }
                k += 1
            }
            guard field == header.count else {
                throw SpatialError.parse(format: "CSV", location: "\(path): line \(line)", message: "\(field) fields, the header has \(header.count)")
            }
            out.coordinates.append(Coordinate(x, y))
            out.lines.append(Int32(truncatingIfNeeded: line))
        }
        return out
    }

    private static func lineEnd(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        guard let p = memchr(b.baseAddress! + i, 0x0A, b.count - i) else { return b.count }
        return b.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    /// A field's number, `Double(text)` rules with white space (and a stray CR) around it allowed: C's `strtod`
    /// over a NUL-terminated copy, all of it consumed.
    private struct NumberField {
        var buffer = [CChar](repeating: 0, count: 80)
        /// strtod follows the process locale's decimal point (C's "." unless someone called setlocale).
        let pointIsDot = localeconv().pointee.decimal_point.pointee == 0x2E

        mutating func parse(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Double? {
            var s = from, e = to
            while s < e, Self.isSpace(b[s]) { s += 1 }
            while e > s, Self.isSpace(b[e - 1]) { e -= 1 }
            guard s < e else { return nil }
            guard e - s < buffer.count, pointIsDot else {  // a very long field, or a locale with a decimal comma
                return Double(String(decoding: b[s..<e], as: UTF8.self))
            }
            return buffer.withUnsafeMutableBufferPointer { t -> Double? in
                for k in s..<e { t[k - s] = CChar(bitPattern: b[k]) }
                t[e - s] = 0
                var stop: UnsafeMutablePointer<CChar>?
                let v = strtod(t.baseAddress!, &stop)
                return stop == t.baseAddress! + (e - s) ? v : nil
            }
        }

        private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }
    }
}
