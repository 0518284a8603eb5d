import ArgumentParser
import CommandSupport
import Foundation
import SpatialCore
import UrbanModel
import UrbanStore

struct ServiceAreaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-area",
        abstract: "The streets reachable from a spot within a network distance, and an area around them. Exit status 1 when nothing is reachable.",
        discussion: """
            The spot snaps to the nearest usable segment of the streets layer at its projected position; the connector \
            counts against --radius. Each reachable street part is cut at the exact remaining distance. --format \
            geojson: RFC 7946 FeatureCollection of the parts (LineStrings, kind "street", with segment_id, from_m, \
            to_m, length_m, complete), the area (kind "area": a buffer of the parts by --area-buffer metres, or \
            with --hull-ratio GEOS's concave hull of their vertices) and the spot (kind "origin").
            """)

    @OptionGroup var city: CityArgument

    var db: String { city.db }
    @Option(help: "Longitude (WGS84; with --crs, x in that CRS).") var lon: Double
    @Option(help: "Latitude (WGS84; with --crs, y in that CRS).") var lat: Double
    @Option(help: "Network distance in metres.") var radius: Double
    @Option(help: "walk or drive.") var network: TravelMode = .walk
    @Option(help: snapHelp) var snap: StreetNetwork.Snapping = .connected
    @Option(help: ArgumentHelp("Width of the area around the reachable streets.", valueName: "M")) var areaBuffer: Double = 25
    @Option(help: ArgumentHelp("Draw the area as GEOS's concave hull with this ratio (0…1, 1 = convex hull) instead of a buffer.", valueName: "R"))
    var hullRatio: Double?
    @OptionGroup var inputCRS: InputCRSOption
    @OptionGroup var outCRS: OutputCRSOption
    @OptionGroup var output: QueryFormatOption
    var format: QueryFormat { output.format }

    func run() throws {
        let spot = try inputCRS.coordinates().spot(x: lon, y: lat)
        let answerCRS = try outCRS.coordinates()
        let q = try CityAnalysis(try city.open(), snapping: snap)
        warn(SpotWarnings.forSpot(spot, field: "--lon/--lat", extent: q.frame.extent, crs: try inputCRS.parsed()))
        let shape: ServiceAreaShape = hullRatio.map { .concaveHull(ratio: $0) } ?? .buffer(metres: areaBuffer)
        let a = try q.serviceArea(lon: spot.x, lat: spot.y, radiusMetres: radius, network: network, shape: shape)
        var out = StandardOutput()
        switch format {
        case .json: out.line(try answerCRS.reprojecting(a.json).jsonText)
        case .geojson: out.line(try answerCRS.reprojecting(a.featureCollection).geoJSON(precision: answerCRS.precision))
        case .table:
            out.line("within \(NumberText.format(radius)) m \(network == .walk ? "walking" : "driving") from \(NumberText.format(spot.x, precision: 7)),\(NumberText.format(spot.y, precision: 7))")
            out.line("snapped to   segment \(a.snapSegmentID), \(fixed(a.connectorMetres, 2)) m away")
            out.line("reached      \(a.parts.count) street parts, \(fixed(a.reachedMetres, 1)) m of street (\(a.parts.filter(\.complete).count) whole segments)")
            out.line("area         \(fixed(a.areaSquareMetres, 0)) m² (\(a.shape.description))")
        }
        out.flush()
        if a.parts.isEmpty { throw ExitCode(1) }
    }
}
