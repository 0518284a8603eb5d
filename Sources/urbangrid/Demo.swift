import ArgumentParser
import CommandSupport
import Foundation
import Logging
import SpatialCore
import UrbanModel
import UrbanStore

extension UrbanGridCommand {
    /// A first look at a street network: a new UrbanGrid city (file or PostgreSQL) with the streets imported as
    /// `urbangrid import` imports them (checked, noded, measured, indexed, one transaction), and a summary read back
    /// from the store. `Tools/demo.sh` builds the whole demo city (every layer, grids, hazards, chiefs).
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load street segments into a new UrbanGrid city and summarise them (count, extent, length, classes, nearest segments).")

        @Option(help: "The city to create: a new file, or a postgresql:// URL of an empty database.")
        var db = "out/demo.sqlite"

        @Option(help: "Street segments: GeoJSON, GeoJSONSeq, CSV or a Shapefile of LineStrings (WGS84 unless --crs).")
        var data = "GeoData/helsinki/streets.geojson"

        @OptionGroup var inputCRS: InputCRSOption

        var crs: String? { inputCRS.crs }

        @Option(help: "Radius in metres around the data's centre for the nearest segments.")
        var radius: Double = 100

        @OptionGroup var output: FormatOption

        var format: OutputFormat { output.format }

        func validate() throws {
            guard radius.isFinite, radius > 0 else { throw ValidationError("--radius must be a positive number of metres") }
        }

        func run() throws {
            let log = Logger(label: "urbangrid.demo")
            let location = try DatabaseLocation(db)
            if case .spatiaLite(let path) = location, FileManager.default.fileExists(atPath: path) {
                throw CLIError.badInput("\(path) exists already: remove it or choose another --db")
            }
            // read and check the file before anything is created
            let features = try FeatureFile.read(data, options: FeatureFile.Options(crs: try crs.map(CRS.init), requireGeometry: true))
            for (i, f) in features.enumerated() {
                guard case .lineString? = f.geometry else {
                    throw CLIError.badInput("\(data): features[\(i)].geometry: expected a LineString, got \(f.geometry?.typeName ?? "null")")
                }
            }
            let reference = features.compactMap { $0.properties?["length_m"]?.doubleValue }
            let city = try City.create(location, timeZone: "Asia/Shanghai")
            do {
                log.info("loading \(features.count) street lines into \(location)")
                try city.importFeatures(features, into: .streets, source: data, noding: .auto)
            } catch {
                if case .spatiaLite(let path) = location {  // the demo's file is all or nothing too
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                }
                throw error
            }
            let summary = try StreetSummary(city, source: data, radiusMetres: radius,
                                            referenceLengthMetres: reference.count == features.count ? reference.reduce(0, +) : nil)
            var out = StandardOutput()
            switch format {
            case .json: out.line(summary.json)
            case .table: for l in summary.table { out.line(l) }
            }
            out.flush()
        }
    }
}

/// What `demo` prints: the streets of a city as stored, read back through the store.
struct StreetSummary {
    var database: String
    var engine: String
    var source: String
    var segments: Int
    var envelope: Envelope
    var metricCRS: CRS
    var totalLengthM: Double
    var referenceLengthM: Double?
    var byClass: [(String, Int)]
    var radiusM: Double
    var nearCentre: [(id: String, name: String?, distanceM: Double)]

    init(_ city: any CityStore, source: String, radiusMetres: Double, referenceLengthMetres: Double?) throws {
        let rows = try city.features(LayerRequest(.streets, [.column("id"), .column("name"), .column("class"), .column("length_m"), .geometry]))
        let lines = try rows.map { try $0["g"]?.geometry() }
        guard let extent = Envelope.union(lines.map { $0?.envelope }) else { throw CLIError.badInput("\(source): no street segments") }
        database = city.displayName
        engine = city.engine.rawValue
        self.source = source
        segments = try city.count(.streets)
        envelope = extent
        metricCRS = LocalMetricCRS.choose(for: extent).crs  // as the import measured length_m
        totalLengthM = rows.compactMap { $0["length_m"]?.double }.reduce(0, +)
        referenceLengthM = referenceLengthMetres
        var classes: [String: Int] = [:]
        for r in rows { classes[r["class"]?.string ?? "(none)", default: 0] += 1 }
        byClass = classes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(6).map { ($0.key, $0.value) }
        radiusM = radiusMetres
        let measure = try MetricMeasure(crs: metricCRS)
        let centre = try measure.project(.point(x: extent.center.x, y: extent.center.y))
        var near: [(id: String, name: String?, distanceM: Double)] = []
        for (r, line) in zip(rows, lines) {
            guard let line else { continue }
            let d = try measure.project(line).distance(to: centre)
            if d <= radiusMetres { near.append((r["id"]?.string ?? "", r["name"]?.string, d)) }
        }
        nearCentre = near.sorted { ($0.distanceM, $0.id) < ($1.distanceM, $1.id) }
    }

    var table: [String] {
        func f(_ v: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", v) }
        var t = [
            "database        \(database) (\(engine), UrbanGrid schema, streets layer)",
            "source          \(source)",
            "segments        \(segments)",
            "extent (lon/lat) \(f(envelope.minX, 7)), \(f(envelope.minY, 7)) .. \(f(envelope.maxX, 7)), \(f(envelope.maxY, 7))",
            "metric CRS      \(metricCRS.definition) \(metricCRS.name) (chosen from the data's extent)",
            "total length    \(f(totalLengthM / 1000, 3)) km",
        ]
        if let r = referenceLengthM {
            t.append("  vs length_m  \(f(r / 1000, 3)) km in the file: relative difference \(String(format: "%.1e", abs(totalLengthM - r) / r))")
        }
        t.append("by class        " + byClass.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        t.append("within \(f(radiusM, 0)) m of the centre (nearest first): \(nearCentre.count) segments")
        for s in nearCentre.prefix(5) { t.append("  \(s.id) \(s.name ?? "(unnamed)") \(f(s.distanceM)) m") }
        t.append("libraries       \(SpatialLibraries.versions)")
        return t
    }

    var json: String {
        let near: [JSONValue] = nearCentre.map { n in
            .object(JSONObject([("id", .string(n.id)), ("name", n.name.map(JSONValue.string) ?? .null), ("distance_m", .number(n.distanceM))]))
        }
        let o = JSONObject([
            ("database", .string(database)), ("engine", .string(engine)), ("source", .string(source)), ("segments", .int(Int64(segments))),
            ("bbox", .array([envelope.minX, envelope.minY, envelope.maxX, envelope.maxY].map(JSONValue.number))),
            ("metric_crs", .string(metricCRS.definition)), ("total_length_m", .number(totalLengthM)),
            ("reference_length_m", referenceLengthM.map(JSONValue.number) ?? .null),
            ("by_class", .object(JSONObject(byClass.map { ($0.0, JSONValue.int(Int64($0.1))) }))),
            ("radius_m", .number(radiusM)), ("near_centre", .array(near)),
        ])
        return JSONValue.object(o).jsonText
    }
}
