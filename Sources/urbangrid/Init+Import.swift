import ArgumentParser
import CommandSupport
import Foundation
import Logging
import SpatialCore
import UrbanModel

extension UrbanModel.Layer: ExpressibleByArgument {}

extension UrbanGridCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty UrbanGrid database (SpatiaLite, schema versioned, a spatial index per layer).")

        @Argument(help: "The database file to create (must not exist).")
        var db: String

        @Option(help: "Time zone for times written without an offset (IANA name).")
        var timezone = "Asia/Shanghai"

        @Option(help: "Folder with the city's class-code tables components.csv and events.csv (default: GeoData/codes when present); hazards' classes are checked against them.")
        var codes: String?

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() throws {
            let folder = codes ?? (FileManager.default.fileExists(atPath: "GeoData/codes/components.csv") ? "GeoData/codes" : nil)
            let tables = try folder.map { dir in
                (try ClassCodeTable(contentsOfFile: dir + "/components.csv"), try ClassCodeTable(contentsOfFile: dir + "/events.csv"))
            }
            let database = try UrbanDatabase.create(path: db, timeZone: timezone)
            let loaded = try tables.map { try database.loadClassCodes(components: $0.0, events: $0.1) } ?? 0
            if tables == nil {
                Logger(label: "urbangrid.init").warning("no class-code tables (--codes DIR): hazard classes will not be checked")
            }
            let version = try database.store.schemaVersion
            var out = StandardOutput()
            if format == .json {
                out.line(#"{"database":\#(JSONValue.string(db).jsonText),"schema_version":\#(version),"timezone":\#(JSONValue.string(timezone).jsonText),"class_codes":\#(loaded)}"#)
            } else {
                out.line("created \(db): schema v\(version), time zone \(timezone), \(loaded) class codes\(folder.map { " from \($0)" } ?? ""), layers \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            out.flush()
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a layer from GeoJSON, GeoJSONSeq, CSV (lon,lat or wkt) or a Shapefile; all or nothing.",
            discussion: """
                One transaction per file: a bad feature rejects the file with its index and reason, and the \
                database is left exactly as it was. Coordinates are converted to WGS84 from --crs (GCJ02 and \
                BD09 included; a Shapefile's .prj is used when --crs is not given).
                """)

        @Argument(help: "The database (from 'urbangrid init').")
        var db: String

        @Option(help: "admin, streets, vendor-zones, hazards, stations, pois, demand, chiefs.")
        var layer: UrbanModel.Layer

        @Argument(help: "The file to load.")
        var file: String

        @Option(help: "CRS of the file's coordinates: EPSG:n, a PROJ string, WKT, GCJ02 or BD09 (default WGS84).")
        var crs: String?

        @Flag(help: "Repair invalid geometries (GEOS makeValid) instead of rejecting the file.")
        var makeValid = false

        @Option(help: "The property that holds each feature's id (default: the GeoJSON id or the CSV id column).")
        var idField: String?

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func validate() throws {
            if layer == .grids { throw ValidationError("grids are made by 'urbangrid grid build', not imported") }
        }

        func run() throws {
            let log = Logger(label: "urbangrid.import")
            let database = try UrbanDatabase(path: db)
            let options = FeatureFile.Options(crs: try crs.map(CRS.init), makeValid: makeValid, idField: idField,
                                              requireGeometry: LayerSchema.of(layer).geometry != .none)
            let features = try FeatureFile.read(file, options: options)
            log.info("read \(features.count) features from \(file)")
            // `imported` counts stored rows: for streets the segments after noding (a feature split at a
            // crossing counts once per piece), for other layers the features
            let n = try database.importFeatures(features, into: layer, source: file)
            var out = StandardOutput()
            if format == .json {
                out.line(#"{"layer":"\#(layer.rawValue)","imported":\#(n)}"#)
            } else {
                out.line("imported \(n) \(layer == .streets ? "segments" : "features") into \(layer.rawValue) (\(try database.count(layer)) in the layer now)")
            }
            out.flush()
        }
    }
}
