public import Foundation
internal import FoundationXML
public import SpatialCore

/// One GPS fix of a patrol track as read from a file: WGS84 lon/lat, the instant (seconds since 1970), whose track it
/// is, and where it stood in the file (0-based point index, 1-based line) for messages.
public struct TrackFix: Sendable, Hashable {
    public var inspector: String
    /// Seconds since 1970-01-01T00:00:00Z.
    public var time: Double
    public var lon: Double
    public var lat: Double
    /// 0-based index of the point in its file.
    public var index: Int
    /// 1-based line of the file (the line the point's element or record starts on).
    public var line: Int

    public init(inspector: String, time: Double, lon: Double, lat: Double, index: Int, line: Int) {
        self.inspector = inspector
        self.time = time
        self.lon = lon
        self.lat = lat
        self.index = index
        self.line = line
    }
}

/// The track formats `patrol import` and `patrol match` read.
public enum TrackFormat: String, Sendable, CaseIterable {
    /// GPX 1.1: `trk/trkseg/trkpt` with `lat`, `lon` and a `time` child; the inspector is `--inspector`, else the
    /// track's `name`, else the file's base name.
    case gpx
    /// CSV with a header naming `inspector`, `time`, `lon`, `lat` (any order, other columns ignored).
    case csv
    /// GeoJSONSeq (RFC 8142, or one feature per line): Point features with `inspector` and `time` properties.
    case geojsonseq

    /// The format a file's extension names: `.gpx`, `.csv`, `.geojsonl`/`.geojsons`/`.geojsonseq`/`.jsonl`.
    public init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "gpx": self = .gpx
        case "csv", "txt": self = .csv
        case "geojsonl", "geojsons", "geojsonseq", "jsonl", "ndjson": self = .geojsonseq
        default: return nil
        }
    }
}

/// Reads a track file point by point, without holding the file: lines (CSV, GeoJSONSeq) or XML events (GPX, through
/// Foundation's libxml2 parser) are turned into `TrackFix`es and handed to the caller as they come.
///
/// Checked on every point, each failure a `ModelError.malformedRecord` naming the file, line and point index: a time
/// (ISO 8601; without an offset read in the city's zone), no time earlier than the previous point of the same inspector,
/// lon/lat finite and in range after the CRS conversion (`--crs`, e.g. GCJ02). A GPX file without a `trk`, a file
/// without points: an error. The caller stores nothing until the whole file has been read (one transaction).
public struct TrackReader {
    public let path: String
    public let format: TrackFormat
    public let crs: CRS?
    /// Overrides (GPX, GeoJSONSeq, CSV) or supplies the inspector.
    public let inspector: String?
    public let timeZone: TimeZone

    public init(path: String, format: TrackFormat? = nil, crs: CRS? = nil, inspector: String? = nil, timeZone: TimeZone) throws {
        guard let format = format ?? TrackFormat(path: path) else {
            throw ModelError.invalidArgument(name: "FILE", reason: "\(path): unknown track format (expected .gpx, .csv or .geojsonl/.geojsons)")
        }
        if let inspector, inspector.isEmpty || inspector.count > 64 {
            throw ModelError.invalidArgument(name: "inspector", reason: "'\(inspector)' is not an inspector name (1 to 64 characters)")
        }
        self.path = path
        self.format = format
        self.crs = crs.flatMap { $0 == .wgs84 || $0.epsgCode == 4326 ? nil : $0 }
        self.inspector = inspector
        self.timeZone = timeZone
    }

    /// Reads every point in file order, calling `body` for each. - Throws: the first bad point (see the type).
    public func read(_ body: (TrackFix) throws -> Void) throws {
        guard FileManager.default.isReadableFile(atPath: path) else { throw ModelError.unreadableFile(path: path, reason: "cannot open") }
        let transform = try crs.map { try CoordinateTransform(from: $0, to: .wgs84) }
        var last: [String: Double] = [:]
        var count = 0
        func emit(_ name: String, _ time: String?, _ x: Double?, _ y: Double?, _ line: Int) throws {
            let index = count
            func fail(_ field: String, _ reason: String) -> ModelError {
                .malformedRecord(.init(file: path, line: line, field: field), reason: "point \(index): \(reason)")
            }
            guard let time, !time.isEmpty else { throw fail("time", "no time (every point of a patrol track needs one)") }
            guard let date = ISOTime.date(time, in: timeZone) else { throw fail("time", "'\(time)' is not an ISO 8601 time") }
            guard let x, let y, x.isFinite, y.isFinite else { throw fail("lon/lat", "no coordinates or not numbers") }
            var c = Coordinate(x, y)
            if let transform {
                do { c = try transform.apply(c) } catch { throw fail("lon/lat", "cannot convert (\(x), \(y)) from \(crs!): \(error)") }
            }
            guard (-180...180).contains(c.x), (-90...90).contains(c.y) else {
                throw fail("lon/lat", "longitude/latitude (\(c.x), \(c.y)) out of range (lon -180..180, lat -90..90): wrong --crs or axis order?")
            }
            guard !name.isEmpty else { throw fail("inspector", "no inspector (a column, property or --inspector)") }
            let t = date.timeIntervalSince1970
            if let before = last[name], t < before {
                throw fail("time", "\(time) is earlier than the previous point of inspector '\(name)' (\(ISOTime.string(Date(timeIntervalSince1970: before), in: timeZone))): times out of order")
            }
            last[name] = t
            count += 1
            try body(TrackFix(inspector: name, time: t, lon: c.x, lat: c.y, index: index, line: line))
        }
        switch format {
        case .csv: try readCSV(emit)
        case .geojsonseq: try readGeoJSONSeq(emit)
        case .gpx: try withoutActuallyEscaping(emit) { try readGPX($0) }
        }
        guard count > 0 else { throw ModelError.malformedRecord(.init(file: path), reason: "no track points") }
    }

    // MARK: Lines

    /// Calls `body` with each line's bytes (CR and LF removed) and its 1-based number, reading 1 MiB at a time.
    func forEachLine(_ body: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ModelError.unreadableFile(path: path, reason: "cannot open") }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var line = 0
        func flush(_ bytes: ArraySlice<UInt8>) throws {
            line += 1
            var b = bytes
            if b.last == 0x0D { b = b.dropLast() }
            if line == 1, b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
            try body(b, line)
        }
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = pending.startIndex
            while let nl = pending[start...].firstIndex(of: 0x0A) {
                try flush(pending[start..<nl])
                start = nl + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty { try flush(pending[...]) }
    }

    private func readCSV(_ emit: (String, String?, Double?, Double?, Int) throws -> Void) throws {
        var columns: [String: Int]?
        try forEachLine { bytes, line in
            guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return }
            let fields: [String]
            do { fields = try CSVText.records(Array(bytes)).first?.fields ?? [] } catch {
                throw ModelError.malformedRecord(.init(file: path, line: line), reason: "\(error)")
            }
            guard let header = columns else {
                var c: [String: Int] = [:]
                for (i, f) in fields.enumerated() {
                    let key = f.trimmingCharacters(in: .whitespaces).lowercased()
                    if c[key] == nil { c[key] = i }
                }
                for name in ["time", "lon", "lat"] + (inspector == nil ? ["inspector"] : []) where c[name] == nil {
                    throw ModelError.malformedRecord(.init(file: path, line: line, field: name),
                                                     reason: "the header needs the columns inspector,time,lon,lat (found \(fields.joined(separator: ",")))")
                }
                columns = c
                return
            }
            func field(_ name: String) -> String? {
                header[name].flatMap { $0 < fields.count ? fields[$0].trimmingCharacters(in: .whitespaces) : nil }
            }
            try emit(inspector ?? field("inspector") ?? "", field("time"), field("lon").flatMap(Double.init), field("lat").flatMap(Double.init), line)
        }
        if columns == nil { throw ModelError.malformedRecord(.init(file: path), reason: "empty file: expected a header inspector,time,lon,lat") }
    }

    private func readGeoJSONSeq(_ emit: (String, String?, Double?, Double?, Int) throws -> Void) throws {
        try forEachLine { bytes, line in
            var b = bytes
            while let f = b.first, f == 0x1E || f == 0x20 || f == 0x09 { b = b.dropFirst() }  // RS and blanks
            guard !b.isEmpty else { return }
            let value: JSONValue
            do { value = try JSONValue(parsing: Array(b)) } catch {
                throw ModelError.malformedRecord(.init(file: path, line: line), reason: "not a JSON text: \(error)")
            }
            guard value["type"]?.stringValue == "Feature", let geometry = value["geometry"], geometry["type"]?.stringValue == "Point",
                  let xy = geometry["coordinates"]?.arrayValue, xy.count >= 2 else {
                throw ModelError.malformedRecord(.init(file: path, line: line, field: "geometry"), reason: "expected a Point feature")
            }
            let props = value["properties"]
            try emit(inspector ?? props?["inspector"]?.stringValue ?? props?["inspector"]?.intValue.map(String.init) ?? "",
                     props?["time"]?.stringValue, xy[0].doubleValue, xy[1].doubleValue, line)
        }
    }

    // MARK: GPX

    private func readGPX(_ emit: @escaping (String, String?, Double?, Double?, Int) throws -> Void) throws {
        guard let stream = InputStream(fileAtPath: path) else { throw ModelError.unreadableFile(path: path, reason: "cannot open") }
        let reader = GPXEvents(fallback: inspector ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension,
                               fixed: inspector != nil, emit: emit)
        let parser = XMLParser(stream: stream)
        parser.delegate = reader
        reader.parser = parser
        let ok = parser.parse()
        if let error = reader.error { throw error }
        guard ok else {
            throw ModelError.malformedRecord(.init(file: path, line: parser.lineNumber),
                                             reason: "not well-formed XML: \(parser.parserError.map { "\($0.localizedDescription)" } ?? "parse error")")
        }
        guard reader.sawGPX else { throw ModelError.malformedRecord(.init(file: path), reason: "not a GPX file (no gpx element)") }
        guard reader.tracks > 0 else { throw ModelError.malformedRecord(.init(file: path), reason: "a GPX file without a track (trk): nothing to match") }
    }
}

/// The XML events of a GPX file turned into points: `trk` (its `name` names the inspector unless fixed), `trkpt`
/// with `lat`/`lon` attributes and a `time` child. Waypoints and routes are ignored.
private final class GPXEvents: NSObject, XMLParserDelegate {
    let fallback: String
    let fixed: Bool
    let emit: (String, String?, Double?, Double?, Int) throws -> Void
    weak var parser: XMLParser?
    var error: (any Error)?
    var sawGPX = false
    var tracks = 0
    var path: [String] = []
    var text = ""
    var trackName: String?
    var point: (lat: Double?, lon: Double?, time: String?, line: Int)?

    init(fallback: String, fixed: Bool, emit: @escaping (String, String?, Double?, Double?, Int) throws -> Void) {
        self.fallback = fallback
        self.fixed = fixed
        self.emit = emit
    }

    private static func local(_ name: String) -> String { name.split(separator: ":").last.map(String.init) ?? name }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let name = Self.local(elementName)
        path.append(name)
        text = ""
        switch name {
        case "gpx": sawGPX = true
        case "trk": tracks += 1; trackName = nil
        case "trkpt" where path.dropLast().last == "trkseg":
            point = (attributes["lat"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) },
                     attributes["lon"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }, nil, parser.lineNumber)
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let name = Self.local(elementName)
        defer { path.removeLast(); text = "" }
        switch name {
        case "name" where path.dropLast().last == "trk": trackName = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case "time" where path.dropLast().last == "trkpt": point?.time = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case "trkpt":
            guard let p = point else { return }
            point = nil
            let who = fixed ? fallback : (trackName.flatMap { $0.isEmpty ? nil : $0 } ?? fallback)
            do { try emit(who, p.time, p.lon, p.lat, p.line) } catch {
                self.error = error
                parser.abortParsing()
            }
        default: break
        }
    }
}
