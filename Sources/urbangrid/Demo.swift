import ArgumentParser
import CommandSupport
import Foundation
import Logging
import SpatialCore

extension UrbanGridCommand {
    /// The main job on the bundled data, for now: load the Helsinki street segments into a new
    /// SpatiaLite database (one transaction, spatial index) and summarise them. Later releases grow
    /// this into the full demo (grids, lookups, coverage).
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load street segments (GeoJSON) into a new SpatiaLite database and print a summary.")

        @Option(help: "The database to create (must not exist).")
        var db = "out/demo.sqlite"

        @Option(help: "A GeoJSON FeatureCollection of LineString street segments (WGS84).")
        var data = "GeoData/helsinki/streets.geojson"

        @Option(help: "Radius in metres of the sample spatial-index query around the data's centre.")
        var radius: Double = 100

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() throws {
            let log = Logger(label: "urbangrid.demo")
            guard !FileManager.default.fileExists(atPath: db) else {
                throw CLIError.badInput("\(db) exists already: remove it or choose another --db")
            }
            guard let bytes = FileManager.default.contents(atPath: data) else {
                throw CLIError.badInput("cannot read \(data)")
            }
            let fc: FeatureCollection
            do { fc = try FeatureCollection(geoJSON: [UInt8](bytes)) } catch let e as SpatialError {
                throw CLIError.badInput("\(data): \(e)")
            }
            let summary = try StreetDemo.load(fc, into: db, source: data, radiusMetres: radius, log: log)
            var out = StandardOutput()
            switch format {
            case .json: out.line(summary.json)
            case .table: for l in summary.table { out.line(l) }
            }
            out.flush()
        }
    }
}
