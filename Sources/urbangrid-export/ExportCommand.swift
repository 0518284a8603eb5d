import ArgumentParser
import CommandSupport
import Foundation
import Logging
import SpatialCore
import UrbanModel
import UrbanStore
import Export

@main
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "urbangrid-export",
        abstract: "UrbanGrid batch export: layers as GeoJSON, GeoJSONSeq, CSV or GeoPackage for map tools, and nightly plans with an HTML report.",
        discussion: """
            urbangrid-export DB (--layer NAME | --all) --format geojson|geojsonseq|csv|gpkg --out PATH
            urbangrid-export batch PLAN
            Coordinates are WGS84 lon/lat unless --crs says otherwise. Files appear under their final name only \
            when complete. Exit status: 0 success, 1 a batch audit found violations, 2 bad input or usage.
            """,
        version: "urbangrid-export 0.1.0 (\(SpatialLibraries.versions))",
        subcommands: [Layers.self, Batch.self],
        defaultSubcommand: Layers.self)

    static func main() { runWithUrbanGridExitCodes() }
}

extension ExportFormat: ExpressibleByArgument {}

struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "Write layers of a database to files (the default command: `urbangrid-export DB --layer …`).")

    @OptionGroup var city: CityArgument

    var db: String { city.db }

    @Option(help: ArgumentHelp("A layer to export (repeatable): \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "NAME"))
    var layer: [String] = []

    @Flag(help: "Export every layer.")
    var all = false

    @Option(help: "geojson (RFC 7946), geojsonseq (RFC 8142), csv (WKT geometry) or gpkg (GeoPackage).")
    var format: ExportFormat

    @Option(help: ArgumentHelp("""
        The output file for one layer; for several, a directory (files <layer>.<ext>) or, with gpkg, \
        a .gpkg file holding every layer.
        """, valueName: "PATH"))
    var out: String

    @Option(help: "Output CRS: EPSG:n, a PROJ string, GCJ02 (AMap, Tencent) or BD09 (Baidu). Default WGS84 lon/lat.")
    var crs: String?

    @Option(help: "Decimals per coordinate in text formats (default 7 for degrees, 3 for metres).")
    var precision: Int?

    @Option(name: .customLong("where"), help: ArgumentHelp("An SQL condition on the layer's columns, e.g. \"status = 'open'\".", valueName: "EXPR"))
    var whereSQL: String?

    @Option(help: ArgumentHelp("Only features intersecting this lon/lat box (WGS84 degrees).", valueName: "W,S,E,N"))
    var bbox: String?

    @Option(name: .customLong("summary"), help: "How to print what was written: table or json.")
    var summaryFormat: OutputFormat = .table

    func validate() throws {
        guard all != !layer.isEmpty else {
            throw ValidationError(all ? "give either --all or --layer, not both" : "give --layer NAME or --all")
        }
    }

    func run() throws {
        let layers: [UrbanModel.Layer] = try all ? UrbanModel.Layer.allCases : layer.map { name in
            guard let l = UrbanModel.Layer(rawValue: name) else {
                throw CLIError.badInput("unknown layer '\(name)': one of \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return l
        }
        let settings = ExportSettings(
            format: format, crs: try crs.map { try CRS($0) } ?? .wgs84, precision: precision,
            filter: LayerFilter(whereSQL: whereSQL, bbox: try bbox.map(LayerFilter.parseBBox)))
        let database = try city.open()
        let exporter = try LayerExporter(database, settings: settings)
        let log = Logger(label: "urbangrid-export")
        for w in exporter.warnings { log.warning("\(w)") }
        if let box = settings.filter.bbox {  // a box far from the city, likely lat,lon or another CRS: said, then written as asked
            let extent = try database.extent(of: [.grids, .streets, .admin, .stations, .hazards, .vendorZones, .pois, .demand])
            for w in SpotWarnings.forBox(box, field: "--bbox", extent: extent) { log.warning("\(w)") }
        }
        if settings.filter.bbox != nil, layers.contains(.chiefs), layers.count > 1 {
            log.notice("--bbox does not apply to chiefs (no geometry): exported whole")
        }
        let bar = ProgressBar("exporting")
        defer { bar.finish() }
        let results: [ExportedLayer]
        if layers.count == 1 {
            results = [try exporter.export(layers[0], to: out, progress: bar.enabled ? bar.update : nil)]
        } else {
            results = try exporter.export(layers, to: out, progress: bar.enabled ? { _, done, total in bar.update(done, of: total) } : nil)
        }
        bar.finish()
        var stdout = StandardOutput()
        printSummary(results, &stdout)
        stdout.flush()
    }

    func printSummary(_ results: [ExportedLayer], _ stdout: inout StandardOutput) {
        switch summaryFormat {
        case .json:
            let items: [JSONValue] = results.map { r in
                ["layer": .string(r.layer.rawValue), "format": .string(r.format.rawValue), "path": .string(r.path),
                 "features": .int(Int64(r.features)), "bytes": .int(Int64(r.bytes))]
            }
            stdout.line(JSONValue.array(items).jsonText)
        case .table:
            let width = max(5, results.map(\.layer.rawValue.count).max() ?? 0)
            stdout.line("layer".padding(toLength: width, withPad: " ", startingAt: 0) + "  features        bytes  path")
            for r in results {
                stdout.line(r.layer.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(repeating: " ", count: max(0, 10 - String(r.features).count)) + "\(r.features)"
                    + String(repeating: " ", count: max(1, 13 - String(r.bytes).count)) + "\(r.bytes)  \(r.path)")
            }
        }
    }
}
