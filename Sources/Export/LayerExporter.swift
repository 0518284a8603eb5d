import Foundation
public import SpatialCore
public import UrbanStore
public import UrbanModel

/// The file formats of `urbangrid-export`.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// RFC 7946 FeatureCollection.
    case geojson
    /// RFC 8142 GeoJSON text sequence: each feature preceded by RS (0x1E) and followed by LF.
    case geojsonseq
    /// RFC 4180 CSV, geometry as WKT in the last column `WKT`, with a GDAL `.csvt` file naming the column types.
    case csv
    /// OGC GeoPackage, written through SpatiaLite.
    case gpkg

    public var fileExtension: String {
        switch self {
        case .geojson: "geojson"
        case .geojsonseq: "geojsons"
        case .csv: "csv"
        case .gpkg: "gpkg"
        }
    }
}

/// How to export: format, output CRS, decimals and which features.
public struct ExportSettings: Sendable {
    public var format: ExportFormat
    /// The output CRS; WGS84 lon/lat by default. GCJ02/BD09 for Chinese web maps, any EPSG for survey work.
    public var crs: CRS
    /// Decimals per coordinate; nil: 7 for degrees (~1 cm), 3 for metres (1 mm).
    public var precision: Int?
    public var filter: LayerFilter

    public init(format: ExportFormat, crs: CRS = .wgs84, precision: Int? = nil, filter: LayerFilter = LayerFilter()) {
        self.format = format
        self.crs = crs
        self.precision = precision
        self.filter = filter
    }
}

/// What one layer export wrote.
public struct ExportedLayer: Sendable, Hashable {
    public var layer: UrbanModel.Layer
    /// The final path (the GeoPackage holding it when several layers share one).
    public var path: String
    public var format: ExportFormat
    public var features: Int
    /// Bytes written (the GeoPackage's size for gpkg).
    public var bytes: Int
}

/// Writes layers of an UrbanGrid database to files for map tools.
///
/// Features stream from the database to the file one at a time (memory stays flat for millions); every file is
/// staged under a temporary name and only renamed to its final name when everything asked for has been
/// written, so a failure or an interruption never leaves a partial output under a final name.
/// Polygons are written with RFC 7946 winding (exterior counter-clockwise, holes clockwise) in every format.
public final class LayerExporter {
    public let settings: ExportSettings
    /// Notes for the user (e.g. GeoJSON in a projected CRS is outside RFC 7946).
    public private(set) var warnings: [String] = []
    private let db: any CityStore
    private let transform: CoordinateTransform?
    private let precision: Int

    /// - Throws: `SpatialError.unknownCRS` / `.proj` when the output CRS cannot be reached from WGS84.
    public init(_ db: any CityStore, settings: ExportSettings) throws {
        self.db = db
        self.settings = settings
        let isWGS84 = ["EPSG:4326", "OGC:CRS84", "WGS84"].contains(settings.crs.definition.uppercased())
        transform = isWGS84 ? nil : try CoordinateTransform(from: .wgs84, to: settings.crs)
        let geographic = settings.crs.isGeographic
        precision = settings.precision ?? (geographic ? 7 : 3)
        if let p = settings.precision, !(0...15).contains(p) {
            throw ModelError.invalidArgument(name: "precision", reason: "\(p) is outside 0...15 decimals")
        }
        if !geographic, settings.format == .geojson || settings.format == .geojsonseq {
            warnings.append("GeoJSON in \(settings.crs.definition) is outside RFC 7946 (WGS84 lon/lat only); the file carries no crs member, so tell its readers the CRS")
        }
    }

    /// Exports one layer to `path` (atomically).
    /// - Parameter progress: called now and then with (features written, features selected).
    public func export(_ layer: UrbanModel.Layer, to path: String, progress: ((Int, Int) -> Void)? = nil) throws -> ExportedLayer {
        let staged = try stage(layer, at: path, progress: progress)
        try staged.commit()
        return staged.result
    }

    /// Exports several layers: into one GeoPackage when the format is gpkg and `path` ends in `.gpkg`, otherwise
    /// one file per layer named `<layer>.<extension>` in the directory `path` (created when missing). Nothing
    /// appears under a final name unless every layer was written.
    public func export(_ layers: [UrbanModel.Layer], to path: String, progress: ((UrbanModel.Layer, Int, Int) -> Void)? = nil) throws -> [ExportedLayer] {
        if settings.format == .gpkg, path.lowercased().hasSuffix(".gpkg") {
            let file = try StagedFile(path: path, open: false)
            let gpkg = try GeoPackageWriter(path: file.temporaryPath)
            var results: [ExportedLayer] = []
            for layer in layers {
                var r = try writeGeoPackageLayer(layer, gpkg, progress: progress.map { p in { p(layer, $0, $1) } })
                r.path = path
                results.append(r)
            }
            try gpkg.finish()
            try file.commit()
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return results.map { var r = $0; r.bytes = size; return r }
        }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw SpatialError.io(path: path, message: "not a directory (several layers go into a directory)") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw SpatialError.io(path: path, message: "cannot create the directory: \(error.localizedDescription)")
            }
        }
        var staged: [StagedExport] = []
        for layer in layers {
            let file = (path as NSString).appendingPathComponent("\(layer.rawValue).\(settings.format.fileExtension)")
            staged.append(try stage(layer, at: file, progress: progress.map { p in { p(layer, $0, $1) } }))
        }
        for s in staged { try s.commit() }
        return staged.map(\.result)
    }

    /// A layer written under temporary names, waiting for `commit()`; released uncommitted, it leaves nothing.
    final class StagedExport {
        let files: [StagedFile]
        let result: ExportedLayer
        init(files: [StagedFile], result: ExportedLayer) {
            self.files = files
            self.result = result
        }
        func commit() throws { for f in files { try f.commit() } }
    }

    func stage(_ layer: UrbanModel.Layer, at path: String, progress: ((Int, Int) -> Void)?) throws -> StagedExport {
        let reader = try LayerReader(db, layer: layer, filter: settings.filter)
        switch settings.format {
        case .gpkg:
            let file = try StagedFile(path: path, open: false)
            let gpkg = try GeoPackageWriter(path: file.temporaryPath)
            let r = try writeGeoPackageLayer(layer, gpkg, reader: reader, progress: progress)
            try gpkg.finish()
            let size = (try? FileManager.default.attributesOfItem(atPath: file.temporaryPath)[.size] as? Int) ?? 0
            return StagedExport(files: [file], result: ExportedLayer(layer: layer, path: path, format: .gpkg, features: r.features, bytes: size))
        case .geojson, .geojsonseq:
            let file = try StagedFile(path: path)
            var bytes = 0
            let sink: ([UInt8]) throws -> Void = { chunk in
                bytes += chunk.count
                try file.write(chunk)
            }
            let total = progress == nil ? 0 : try reader.count()  // a second pass over the rows only for someone watching
            var n = 0
            // features are written straight from the columns: no Feature values, no JSON parsing
            let features = FeatureGeoJSONEncoder(reader: reader, precision: precision)
            func encode(_ row: LayerReader.Row, _ geometry: Geometry?, _ out: inout [UInt8]) {
                features.append(row, geometry: geometry, to: &out)
            }
            if settings.format == .geojson {
                let w = GeoJSONWriter(precision: precision, sink: sink)
                try eachRow(reader) { row, g in
                    try w.write { encode(row, g, &$0) }
                    n += 1
                    if n & 0xFFF == 0 { progress?(n, total) }
                }
                try w.finish()
            } else {
                let w = GeoJSONSeqWriter(precision: precision, chunkSize: 1 << 16, sink: sink)
                try eachRow(reader) { row, g in
                    try w.write { encode(row, g, &$0) }
                    n += 1
                    if n & 0xFFF == 0 { progress?(n, total) }
                }
                try w.flush()
            }
            progress?(n, total)
            return StagedExport(files: [file], result: ExportedLayer(layer: layer, path: path, format: settings.format, features: n, bytes: bytes))
        case .csv:
            return try stageCSV(layer, reader, path, progress)
        }
    }

    // MARK: Formats

    /// Reads each feature and hands it on with its geometry in the output CRS, polygons RFC 7946-wound.
    private func each(_ reader: LayerReader, _ body: (StoredFeature, Geometry?) throws -> Void) throws {
        try reader.forEach { f in
            var g = f.geometry
            if let geometry = g {
                g = try (transform?.apply(to: geometry) ?? geometry).orientedRFC7946()
            }
            try body(f, g)
        }
    }

    /// Reads each row (extra properties as stored JSON text) with its geometry in the output CRS, RFC 7946-wound.
    private func eachRow(_ reader: LayerReader, _ body: (LayerReader.Row, Geometry?) throws -> Void) throws {
        try reader.forEachRow(rawJSON: true) { row in
            var g = row.geometry
            if let geometry = g {
                g = try (transform?.apply(to: geometry) ?? geometry).orientedRFC7946()
            }
            try body(row, g)
        }
    }

    private func stageCSV(_ layer: UrbanModel.Layer, _ reader: LayerReader, _ path: String, _ progress: ((Int, Int) -> Void)?) throws -> StagedExport {
        let file = try StagedFile(path: path)
        let typesFile = try StagedFile(path: path.hasSuffix(".csv") ? path + "t" : path + ".csvt")
        let hasGeometry = LayerSchema.of(layer).geometry != .none
        let columns = reader.columns
        var header = ["id"] + columns.map(\.name)
        var types = ["String"] + columns.map { c -> String in
            switch c.kind {
            case .integer: "Integer64"
            case .real: "Real"
            case .boolean: "Integer(Boolean)"
            case .text, .time, .json: "String"
            }
        }
        if hasGeometry {
            header.append("WKT")
            types.append("WKT")
        }
        var typeLine: [UInt8] = []
        CSVText.appendRecord(types, to: &typeLine)
        try typesFile.write(typeLine)

        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        CSVText.appendRecord(header, to: &buffer)
        var bytes = 0
        let total = progress == nil ? 0 : try reader.count()  // a second pass over the rows only for someone watching
        var n = 0
        try each(reader) { f, g in
            var fields = [f.id] + f.values.map(Self.csvText)
            if hasGeometry { fields.append(try g.map { try $0.wkt(precision: self.precision) } ?? "") }
            CSVText.appendRecord(fields, to: &buffer)
            n += 1
            if buffer.count >= 1 << 16 {
                bytes += buffer.count
                try file.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
            if n & 0xFFF == 0 { progress?(n, total) }
        }
        bytes += buffer.count
        try file.write(buffer)
        progress?(n, total)
        return StagedExport(files: [file, typesFile], result: ExportedLayer(layer: layer, path: path, format: .csv, features: n, bytes: bytes))
    }

    static func csvText(_ v: JSONValue) -> String {
        switch v {
        case .null: ""
        case .bool(let b): b ? "1" : "0"
        case .int(let i): String(i)
        case .number(let d): NumberText.plainDecimal(d)
        case .string(let s): s
        case .array, .object:
            { var out: [UInt8] = []; v.appendJSON(to: &out); return String(decoding: out, as: UTF8.self) }()
        }
    }

    private func writeGeoPackageLayer(_ layer: UrbanModel.Layer, _ gpkg: GeoPackageWriter, reader: LayerReader? = nil,
                                      progress: ((Int, Int) -> Void)?) throws -> ExportedLayer {
        let reader = try reader ?? LayerReader(db, layer: layer, filter: settings.filter)
        let schema = LayerSchema.of(layer)
        let geometryType: String? = schema.geometry == .none ? nil : schema.geometry.rawValue
        let fields = [GeoPackageWriter.Field("id", .text)] + reader.columns.map { c in
            let type: GeoPackageWriter.FieldType = switch c.kind {
            case .integer: .integer
            case .real: .real
            case .boolean: .boolean
            case .text, .time, .json: .text
            }
            return GeoPackageWriter.Field(c.name, type)
        }
        // the table's own name (`vendor_zones`): SpatiaLite's gpkg functions do not quote names with a hyphen
        try gpkg.beginLayer(schema.table, geometryType: geometryType, crs: settings.crs, fields: fields,
                            description: "UrbanGrid layer \(layer.rawValue)")
        let total = progress == nil ? 0 : try reader.count()  // a second pass over the rows only for someone watching
        var n = 0
        try each(reader) { f, g in
            let values: [SQLValue] = [.text(f.id)] + f.values.map { v in
                switch v {
                case .null: .null
                case .bool(let b): .integer(b ? 1 : 0)
                case .int(let i): .integer(i)
                case .number(let d): .real(d)
                case .string(let s): .text(s)
                case .array, .object: .text(Self.csvText(v))
                }
            }
            try gpkg.insert(g, values)  // full doubles: --precision is for the text formats
            n += 1
            if n & 0xFFF == 0 { progress?(n, total) }
        }
        try gpkg.endLayer()
        progress?(n, total)
        return ExportedLayer(layer: layer, path: "", format: .gpkg, features: n, bytes: 0)
    }
}
