import ArgumentParser
import CommandSupport
import Foundation
import Logging
import SpatialCore
import UrbanModel
import UrbanStore

extension UrbanModel.Layer: ExpressibleByArgument {}

extension UrbanGridCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty UrbanGrid database (SpatiaLite file or PostgreSQL/PostGIS; schema versioned, a spatial index per layer).",
            discussion: """
                DB is a SpatiaLite file to create (it must not exist) or a PostgreSQL URL \
                postgresql://USER[:PASS]@HOST[:PORT]/NAME (?host=/socket/dir for a Unix socket; the password may come \
                from PGPASSWORD or ~/.pgpass): the database must exist and hold no tables; PostGIS is created in it \
                when the user may (otherwise the message says what the DBA must run). All or nothing.
                """)

        @Argument(help: "The database to create: a new file, or a postgresql:// URL of an empty database.")
        var db: String

        @Option(help: "Time zone for times written without an offset (IANA name).")
        var timezone = "Asia/Shanghai"

        @Option(help: "Folder with the city's class-code tables components.csv and events.csv (default: GeoData/codes when present); hazards' classes are checked against them.")
        var codes: String?

        @Option(name: .customLong("work-hours"), help: ArgumentHelp(
            "The working hours of a working day, for the case clocks (one working day is their sum).", valueName: "HH:MM-HH:MM,…"))
        var workHours = "08:30-12:00,14:00-17:30"

        @OptionGroup var output: FormatOption

        var format: OutputFormat { output.format }

        func run() throws {
            let folder = codes ?? (FileManager.default.fileExists(atPath: "GeoData/codes/components.csv") ? "GeoData/codes" : nil)
            let tables = try folder.map { dir in
                (try ClassCodeTable(contentsOfFile: dir + "/components.csv"), try ClassCodeTable(contentsOfFile: dir + "/events.csv"))
            }
            let schedule = try WorkSchedule(workHours)
            let location = try DatabaseLocation(db)
            let database = try City.create(location, timeZone: timezone)
            try (database as? any WorkScheduleStore)?.setWorkSchedule(schedule)
            let loaded = try tables.map { try database.loadClassCodes(components: $0.0, events: $0.1) } ?? 0
            if tables == nil {
                Logger(label: "urbangrid.init").warning("no class-code tables (--codes DIR): hazard classes will not be checked")
            }
            let version = try database.schemaVersion
            var out = StandardOutput()
            if format == .json {
                out.line(#"{"database":\#(JSONValue.string(location.description).jsonText),"schema_version":\#(version),"timezone":\#(JSONValue.string(timezone).jsonText),"class_codes":\#(loaded),"work_hours":\#(JSONValue.string(schedule.description).jsonText)}"#)
            } else {
                out.line("created \(location): schema v\(version), time zone \(timezone), working hours \(schedule), \(loaded) class codes\(folder.map { " from \($0)" } ?? ""), layers \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", "))")
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

        @OptionGroup var city: CityArgument

        var db: String { city.db }

        @Option(name: .customLong("layer"), help: "admin, streets, vendor-zones, hazards, stations, pois, demand, chiefs; or a case table: departments, routing, limits, holidays (CSV).")
        var layerName: String

        /// The spatial layer named by --layer (nil for a case table).
        var layer: UrbanModel.Layer { UrbanModel.Layer(rawValue: layerName) ?? .admin }
        var caseTable: CaseTableKind? { CaseTableKind(rawValue: layerName) }

        @Argument(help: "The file to load.")
        var file: String

        @OptionGroup var inputCRS: InputCRSOption

        var crs: String? { inputCRS.crs }

        @Flag(help: "Repair invalid geometries (GEOS makeValid) instead of rejecting the file.")
        var makeValid = false

        @Option(help: "The property that holds each feature's id (default: the GeoJSON id or the CSV id column).")
        var idField: String?

        @OptionGroup var output: FormatOption

        var format: OutputFormat { output.format }

        func validate() throws {
            guard UrbanModel.Layer(rawValue: layerName) != nil || caseTable != nil else {
                throw ValidationError("--layer '\(layerName)': one of \((UrbanModel.Layer.allCases.map(\.rawValue) + CaseTableKind.allCases.map(\.rawValue)).joined(separator: ", "))")
            }
            if layerName == UrbanModel.Layer.grids.rawValue { throw ValidationError("grids are made by 'urbangrid grid build', not imported") }
        }

        func run() throws {
            if let caseTable { return try importCaseTable(caseTable) }
            let log = Logger(label: "urbangrid.import")
            let database = try city.open(readOnly: false)
            let options = FeatureFile.Options(crs: try crs.map(CRS.init), makeValid: makeValid, idField: idField,
                                              requireGeometry: LayerSchema.of(layer).geometry != .none)
            // features are handed to the engine as they are read (PostgreSQL stores them meanwhile); `imported`
            // counts stored rows: for streets the segments after noding (a feature split at a crossing counts once
            // per piece), for other layers the features
            var read = 0
            let n = try database.importFeatures(reading: { body in read = try FeatureFile.forEach(file, options: options, body) },
                                                into: layer, source: file, noding: .auto)
            log.info("read \(read) features from \(file)")
            var out = StandardOutput()
            if format == .json {
                out.line(#"{"layer":"\#(layer.rawValue)","imported":\#(n)}"#)
            } else {
                out.line("imported \(n) \(layer == .streets ? "segments" : "features") into \(layer.rawValue) (\(try database.count(layer)) in the layer now)")
            }
            out.flush()
        }

        /// A reference table of the case loop, replaced in one transaction; holidays are added to those loaded and
        /// recompute the provisional deadlines.
        func importCaseTable(_ kind: CaseTableKind) throws {
            let database = try city.open(readOnly: false)
            guard let store = database as? any CaseStore else { throw CLIError.badInput("\(database.displayName) keeps no case tables") }
            let table = try CaseTableFile.read(kind, path: file)
            let schedule = try (database as? any WorkScheduleStore)?.workSchedule ?? .standard
            let (rows, recomputed) = try store.replaceCaseTable(table, schedule: schedule)
            var out = StandardOutput()
            if format == .json {
                out.line(#"{"layer":"\#(kind.rawValue)","imported":\#(rows)\#(kind == .holidays ? #","recomputed_deadlines":\#(recomputed)"# : "")}"#)
            } else {
                out.line("imported \(rows) rows into \(kind.rawValue)\(kind == .holidays ? "; \(recomputed) provisional deadlines recomputed" : "")")
            }
            out.flush()
        }
    }
}

extension UrbanGridCommand {
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole city from one database to another (SpatiaLite file or PostgreSQL), all or nothing.",
            discussion: """
                Every layer with its rows' keys, derived values and extra properties, the class-code tables and the \
                time zone: the copy answers every question as the source does. DST is a new file, or a postgresql:// \
                URL of a database without tables (the schema is created) or with an empty UrbanGrid schema. One \
                transaction: on any failure DST is left as it was (a new file is removed). Prints the rows per layer.
                """)

        @Argument(help: "The city to copy: a file or a postgresql:// URL.")
        var src: String

        @Argument(help: "Where to copy it: a new file or a postgresql:// URL.")
        var dst: String

        @Option(help: "Only these layers (comma-separated); the others stay empty.")
        var layers: String?

        @OptionGroup var output: FormatOption

        var format: OutputFormat { output.format }

        func run() throws {
            let chosen = try layers.map { list in
                try list.split(separator: ",").map { name -> UrbanModel.Layer in
                    let n = name.trimmingCharacters(in: .whitespaces)
                    guard let layer = UrbanModel.Layer(rawValue: n) else {
                        throw CLIError.badInput("--layers: unknown layer '\(n)' (known: \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    return layer
                }
            }
            let (from, to) = (try DatabaseLocation(src), try DatabaseLocation(dst))
            let log = Logger(label: "urbangrid.copy")
            var reported: UrbanModel.Layer?
            let counts = try CityCopy.copy(from: from, to: to, layers: chosen) { layer, rows in
                if layer != reported || rows % 100_000 == 0 { log.info("\(layer.rawValue): \(rows) rows") }
                reported = layer
            }
            var out = StandardOutput()
            if format == .json {
                let layers = counts.map { #""\#($0.layer.rawValue)":\#($0.rows)"# }.joined(separator: ",")
                out.line(#"{"from":\#(JSONValue.string(from.description).jsonText),"to":\#(JSONValue.string(to.description).jsonText),"layers":{\#(layers)},"rows":\#(counts.map(\.rows).reduce(0, +))}"#)
            } else {
                out.line("copied \(from) to \(to)")
                for c in counts { out.line("  \(c.layer.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(c.rows)") }
            }
            out.flush()
        }
    }
}
