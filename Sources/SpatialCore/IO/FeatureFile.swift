internal import Foundation

/// Reading a file of features for import: GeoJSON, GeoJSONSeq (`.geojsonl`, `.geojsons`, `.geojsonseq`),
/// CSV (`lon`,`lat` or `wkt` columns) or an ESRI Shapefile (read through SpatiaLite's VirtualShape).
/// Every feature comes back in WGS84 lon/lat, checked (finite coordinates, lon/lat in range, valid
/// geometry, or repaired with GEOS when asked), and every error names the file, the feature or line,
/// and the field.
public enum FeatureFile {
    public enum Format: String, Sendable, CaseIterable {
        case geojson, geojsonseq, csv, shapefile

        /// From the file name's extension.
        public init?(path: String) {
            switch (path as NSString).pathExtension.lowercased() {
            case "geojson", "json": self = .geojson
            case "geojsonl", "geojsons", "geojsonseq", "ndjson", "jsonl": self = .geojsonseq
            case "csv": self = .csv
            case "shp": self = .shapefile
            default: return nil
            }
        }
    }

    public struct Options: Sendable {
        /// The CRS of the file's coordinates; nil: a Shapefile's `.prj` if it has one, else WGS84 (RFC 7946).
        public var crs: CRS?
        /// Repair invalid geometries with GEOS `makeValid` instead of rejecting the file.
        public var makeValid: Bool
        /// The property holding each feature's id (default: the GeoJSON `id`, or the CSV `id` column).
        public var idField: String?
        /// False for attribute-only layers (e.g. the people responsible): features may have no geometry,
        /// and a CSV needs no coordinate columns.
        public var requireGeometry: Bool

        public init(crs: CRS? = nil, makeValid: Bool = false, idField: String? = nil, requireGeometry: Bool = true) {
            self.crs = crs
            self.makeValid = makeValid
            self.idField = idField
            self.requireGeometry = requireGeometry
        }
    }

    /// Reads, transforms to WGS84 and checks every feature; throws at the first bad one.
    public static func read(_ path: String, format: Format? = nil, options: Options = Options()) throws -> [Feature] {
        guard let format = format ?? Format(path: path) else {
            throw SpatialError.parse(format: "file", location: path,
                                     message: "unknown format: use .geojson, .geojsonl/.geojsons, .csv or .shp")
        }
        let features: [Feature]
        switch format {
        case .shapefile:
            features = try readShapefile(path)
        case .geojson, .geojsonseq, .csv:
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SpatialError.parse(format: format.rawValue, location: path, message: "cannot read the file")
            }
            return try parse([UInt8](data), format: format, options: options, name: path)
        }
        var options = options
        if options.crs == nil { options.crs = try projectionFile(of: path) }
        return try checked(features, format: format, options: options, name: path)
    }

    /// What `read` does, one feature at a time: each feature is read, transformed to WGS84, checked and handed to
    /// `body` before the next one is read, so a GeoJSON or GeoJSONSeq file's features are never all held (the
    /// file's bytes are; a CSV or Shapefile is read whole first). Errors name the file and feature as `read`'s do;
    /// errors thrown by `body` pass through unchanged and stop the reading. Returns the number of features.
    @discardableResult
    public static func forEach(_ path: String, format: Format? = nil, options: Options = Options(),
                               _ body: (Feature) throws -> Void) throws -> Int {
        guard let format = format ?? Format(path: path) else {
            throw SpatialError.parse(format: "file", location: path,
                                     message: "unknown format: use .geojson, .geojsonl/.geojsons, .csv or .shp")
        }
        guard format == .geojson || format == .geojsonseq else {
            let features = try read(path, format: format, options: options)
            for f in features { try body(f) }
            return features.count
        }
        guard let data = bytes(of: path) else {
            throw SpatialError.parse(format: format.rawValue, location: path, message: "cannot read the file")
        }
        let source = options.crs ?? .wgs84
        let transform = source.sameDefinition(as: .wgs84) ? nil : try CoordinateTransform(from: source, to: .wgs84)
        var n = 0
        var passed: (any Error)?  // thrown by the check or by `body`: not a parse error of the file
        func next(_ feature: Feature) throws {
            do {
                try body(try check(feature, at: "\(path): feature \(n)", transform: transform, options: options))
                n += 1
            } catch {
                passed = error
                throw error
            }
        }
        do {
            if format == .geojson {
                try GeoJSON.forEachFeature(in: data, next)
            } else {
                try GeoJSONSeq.forEachRecord(in: data) { record in
                    switch record {
                    case .feature(let f): try next(f)
                    case .geometry(let g): try next(Feature(geometry: g))
                    case .featureCollection(let fc): for f in fc.features { try next(f) }
                    }
                }
            }
        } catch SpatialError.parse(let f, let location, let message) where passed == nil {
            throw SpatialError.parse(format: f, location: "\(path): \(location)", message: message)
        }
        guard n > 0 else { throw SpatialError.parse(format: format.rawValue, location: path, message: "no features") }
        return n
    }

    /// The whole file read straight into one array (no second copy); nil when it cannot be read.
    static func bytes(of path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        guard fseeko(file, 0, SEEK_END) == 0 else { return nil }
        let size = Int(ftello(file))
        guard size >= 0, fseeko(file, 0, SEEK_SET) == 0 else { return nil }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = size == 0 ? 0 : fread(buffer.baseAddress!, 1, size, file)
            failed = count != size
        }
        return failed ? nil : bytes
    }

    /// What `read` does with the bytes of a GeoJSON, GeoJSONSeq or CSV file (not a Shapefile, which SpatiaLite
    /// reads from its files): parses, transforms to WGS84 and checks every feature. `name` stands for the file
    /// in error locations.
    public static func parse(_ bytes: [UInt8], format: Format, options: Options = Options(), name: String) throws -> [Feature] {
        try parseLocated(bytes, format: format, options: options, name: name).features
    }

    /// `parse`, with where each feature was: its line in a CSV file (blank lines and quoted line breaks counted),
    /// its index otherwise.
    static func parseLocated(_ bytes: [UInt8], format: Format, options: Options, name: String) throws
        -> (features: [Feature], place: (Int) -> String)
    {
        guard format != .shapefile else {
            throw SpatialError.parse(format: "shapefile", location: name, message: "a Shapefile is read from its files, not from bytes")
        }
        let features: [Feature]
        var lines: [Int] = []
        do {
            switch format {
            case .geojson: features = try readGeoJSON(bytes)
            case .geojsonseq: features = try readGeoJSONSeq(bytes)
            default: (features, lines) = try CSVFeatures.readWithLines(bytes, requireGeometry: options.requireGeometry)
            }
        } catch SpatialError.parse(let f, let location, let message) {
            throw SpatialError.parse(format: f, location: "\(name): \(location)", message: message)
        }
        let place: (Int) -> String = format == .csv ? { [lines] i in "line \(lines[i])" } : { i in "feature \(i)" }
        return (try checked(features, format: format, options: options, name: name, place: place), place)
    }

    private static func checked(_ features: [Feature], format: Format, options: Options, name path: String,
                                place: (Int) -> String = { "feature \($0)" }) throws -> [Feature] {
        var features = features
        guard !features.isEmpty else { throw SpatialError.parse(format: format.rawValue, location: path, message: "no features") }
        let source = options.crs ?? .wgs84
        let transform = source.sameDefinition(as: .wgs84) ? nil : try CoordinateTransform(from: source, to: .wgs84)
        for i in features.indices {
            features[i] = try check(features[i], at: "\(path): \(place(i))", transform: transform, options: options)
        }
        return features
    }

    private static func readGeoJSON(_ bytes: [UInt8]) throws -> [Feature] {
        switch try GeoJSON(data: bytes) {
        case .featureCollection(let fc): return fc.features
        case .feature(let f): return [f]
        case .geometry(let g): return [Feature(geometry: g)]
        }
    }

    private static func readGeoJSONSeq(_ bytes: [UInt8]) throws -> [Feature] {
        var out: [Feature] = []
        try GeoJSONSeq.forEachRecord(in: bytes) { record in
            switch record {
            case .feature(let f): out.append(f)
            case .geometry(let g): out.append(Feature(geometry: g))
            case .featureCollection(let fc): out.append(contentsOf: fc.features)
            }
        }
        return out
    }

    /// The CRS in a Shapefile's `.prj` (ESRI WKT, which PROJ reads), or nil when there is none.
    private static func projectionFile(of path: String) throws -> CRS? {
        let prj = (path.lowercased().hasSuffix(".shp") ? String(path.dropLast(4)) : path) + ".prj"
        guard let data = FileManager.default.contents(atPath: prj) else { return nil }
        let wkt = String(decoding: data, as: UTF8.self)
        do { return try CRS(wkt) } catch {
            throw SpatialError.parse(format: "shapefile", location: prj, message: "PROJ cannot read this .prj: \(error)")
        }
    }

    /// A Shapefile through SpatiaLite's VirtualShape (UTF-8 attributes) in an in-memory database.
    private static func readShapefile(_ path: String) throws -> [Feature] {
        let base = path.lowercased().hasSuffix(".shp") ? String(path.dropLast(4)) : path
        for ext in ["shp", "shx", "dbf"] where !FileManager.default.fileExists(atPath: "\(base).\(ext)") {
            throw SpatialError.parse(format: "shapefile", location: path, message: "missing \(base).\(ext)")
        }
        let store = try SpatiaLiteStore(path: ":memory:")
        let quoted = base.replacingOccurrences(of: "'", with: "''")
        do {
            try store.execute("CREATE VIRTUAL TABLE shape USING VirtualShape('\(quoted)', 'UTF-8', 4326)")
        } catch {
            throw SpatialError.parse(format: "shapefile", location: path, message: "SpatiaLite cannot open it: \(error)")
        }
        let columns = try store.query("PRAGMA table_info(shape)").compactMap { $0["name"]?.string }
        let attributes = columns.filter { $0.lowercased() != "pkuid" && $0.lowercased() != "geometry" }
        let select = (["AsBinary(Geometry)"] + attributes.map { "\"\($0)\"" }).joined(separator: ", ")
        var features: [Feature] = []
        for (i, row) in try store.query("SELECT \(select) FROM shape ORDER BY PKUID").enumerated() {
            var properties = JSONObject()
            for (k, name) in attributes.enumerated() {
                properties[name] = switch row[k + 1] {
                case .null: .null
                case .integer(let v): .int(v)
                case .real(let v): .number(v)
                case .text(let v): .string(v)
                case .blob: .null
                }
            }
            let geometry: Geometry?
            do { geometry = try row[0].geometry() } catch {
                throw SpatialError.parse(format: "shapefile", location: "\(path): feature \(i)", message: "\(error)")
            }
            features.append(Feature(id: .int(Int64(i + 1)), geometry: geometry, properties: properties))
        }
        return features
    }

    /// Id from the chosen field, coordinates to WGS84, range and validity checks.
    static func check(_ feature: Feature, at place: String, transform: CoordinateTransform?, options: Options) throws -> Feature {
        var f = feature
        func fail(_ field: String, _ message: String) -> SpatialError {
            .parse(format: "import", location: "\(place), \(field)", message: message)
        }
        if let field = options.idField {
            switch f.properties?[field] {
            case .int(let v)?: f.id = .int(v)
            case .number(let v)? where v == v.rounded() && v.magnitude < 0x1p63: f.id = .int(Int64(v))  // else Int64(v) would trap
            case .string(let s)? where !s.isEmpty: f.id = .string(s)
            default: throw fail("properties.\(field)", "the id field is missing or not a string or a whole number (|n| < 2^63)")
            }
        }
        guard var g = f.geometry else {
            if options.requireGeometry { throw fail("geometry", "missing (null) geometry") }
            return f
        }
        var bad: Coordinate?
        g.forEachCoordinate { c in if bad == nil, !c.x.isFinite || !c.y.isFinite { bad = c } }
        if let bad { throw fail("geometry", "coordinate \(bad) is not a finite number") }
        if let transform {
            do { g = try transform.apply(to: g) } catch let SpatialError.transformFailed(_, x, y, message) {
                throw fail("geometry", "cannot transform (\(x), \(y)) from \(options.crs ?? .wgs84): \(message)")
            }
        }
        g.forEachCoordinate { c in if bad == nil, !(-180...180).contains(c.x) || !(-90...90).contains(c.y) { bad = c } }
        if let bad {
            throw fail("geometry", "longitude/latitude \(bad) out of range (lon -180..180, lat -90..90): wrong --crs or axis order?")
        }
        // a point with finite coordinates is always valid (OGC): the GEOS round trip is for everything else
        let isPoints = if case .point = g { true } else if case .multiPoint = g { true } else { false }
        if !isPoints {
            let validity = try g.validity()
            if !validity.isValid {
                guard options.makeValid else {
                    throw fail("geometry", "invalid: \(validity.reason) (use --make-valid to repair)")
                }
                g = try g.makeValid(method: .structure)
            }
        }
        f.geometry = g
        return f
    }
}

/// RFC 4180 CSV with a header row: `lon`,`lat` (also `lng`/`longitude`/`x`, `latitude`/`y`) or a `wkt`
/// column; every other column becomes a property (numbers stay numbers, empty cells are null).
enum CSVFeatures {
    /// The columns that hold the geometry, by the lower-cased header: `wkt`, or `lon`/`lng`/`longitude`/`x` and
    /// `lat`/`latitude`/`y`.
    static func coordinateColumns(_ lowerHeader: [String]) -> (wkt: Int?, lon: Int?, lat: Int?) {
        (lowerHeader.firstIndex(of: "wkt"),
         lowerHeader.firstIndex { ["lon", "lng", "longitude", "x"].contains($0) },
         lowerHeader.firstIndex { ["lat", "latitude", "y"].contains($0) })
    }

    /// The features and the line each record starts on.
    static func readWithLines(_ bytes: [UInt8], requireGeometry: Bool = true) throws -> (features: [Feature], lines: [Int]) {
        let rows: [CSVText.Record]
        do { rows = try CSVText.records(bytes) } catch {
            throw SpatialError.parse(format: "CSV", location: "line \(error.line), character \(error.column)", message: error.reason)
        }
        guard let header = rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces) }) else { return ([], []) }
        let lower = header.map { $0.lowercased() }
        let (wkt, lon, lat) = coordinateColumns(lower)
        guard wkt != nil || (lon != nil && lat != nil) || !requireGeometry else {
            throw SpatialError.parse(format: "CSV", location: "line 1", message: "needs a 'wkt' column or 'lon' and 'lat' columns, found \(header)")
        }
        let idColumn = lower.firstIndex(of: "id")
        var features: [Feature] = []
        var lines: [Int] = []
        for row in rows.dropFirst() {
            lines.append(row.line)
            guard row.fields.count == header.count else {
                throw SpatialError.parse(format: "CSV", location: "line \(row.line)", message: "\(row.fields.count) fields, the header has \(header.count)")
            }
            let geometry: Geometry?
            if wkt == nil && (lon == nil || lat == nil) {
                geometry = nil  // an attribute-only file
            } else if let wkt {
                do { geometry = try Geometry(wkt: row.fields[wkt]) } catch {
                    throw SpatialError.parse(format: "CSV", location: "line \(row.line), column wkt", message: "\(error)")
                }
            } else {
                guard let x = Self.number(row.fields[lon!]) else {
                    throw SpatialError.parse(format: "CSV", location: "line \(row.line), column \(header[lon!])", message: "not a number: '\(row.fields[lon!])'")
                }
                guard let y = Self.number(row.fields[lat!]) else {
                    throw SpatialError.parse(format: "CSV", location: "line \(row.line), column \(header[lat!])", message: "not a number: '\(row.fields[lat!])'")
                }
                geometry = .point(x: x, y: y)
            }
            var properties = JSONObject()
            for (k, name) in header.enumerated() where k != wkt && k != lon && k != lat {
                properties[name] = value(row.fields[k])
            }
            let id: FeatureID? = idColumn == nil ? nil
                : properties["id"].flatMap { v in v.intValue.map { .int($0) } ?? v.stringValue.map { .string($0) } }
            features.append(Feature(id: id, geometry: geometry, properties: properties))
        }
        return (features, lines)
    }

    /// A coordinate cell: the number, spaces around it allowed.
    static func number(_ text: String) -> Double? { Double(text) ?? Double(text.trimmingSpaces) }

    /// A cell's value: empty is null, an integer or a decimal number is a number, anything else text. Digits with a
    /// leading zero (`0101`, `007`) are a code and stay text: a class or admin code keeps its zeros.
    static func value(_ text: String) -> JSONValue {
        if text.isEmpty { return .null }
        if text.utf8.count > 1, text.utf8.first == 0x30, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) { return .string(text) }
        if let i = Int64(text) { return .int(i) }
        if let d = Double(text), d.isFinite, text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .number(d) }
        return .string(text)
    }
}
