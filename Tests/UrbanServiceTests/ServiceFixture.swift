import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SpatialCore
import Testing
import UrbanModel
import UrbanService
import UrbanStore

/// A hand-made database, so that every expected count follows from how it was built, never from the service:
/// 150 stations on a 15 × 10 lattice (`s<i>-<j>` at lon 24.90 + 0.01·i, lat 60.10 + 0.01·j), the two golden vendor
/// zones of the export tests, and three chiefs (a layer without geometry).
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let columns = 15, rows = 10

    static func lon(_ i: Int) -> Double { 24.90 + 0.01 * Double(i) }
    static func lat(_ j: Int) -> Double { 60.10 + 0.01 * Double(j) }

    static let database: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-service-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("city.sqlite").path
        let db = try! UrbanDatabase.create(path: path)
        var stations: [Feature] = []
        for j in 0..<rows {
            for i in 0..<columns {
                stations.append(Feature(id: .string("s\(i)-\(j)"), geometry: .point(x: lon(i), y: lat(j)),
                                        properties: ["name": .string("Station \(i) \(j)"), "capacity": .int(Int64(i))]))
            }
        }
        try! db.importFeatures(stations, into: .stations, source: "fixture")
        let zones = try! FeatureFile.read(root.appendingPathComponent("Tests/CLITests/Golden/vendor-zones-input.geojson").path)
        try! db.importFeatures(zones, into: .vendorZones, source: "vendor-zones-input.geojson")
        let chiefs = (1...3).map { Feature(id: .string("c\($0)"), geometry: nil, properties: ["name": .string("Chief \($0)")]) }
        try! db.importFeatures(chiefs, into: .chiefs, source: "fixture")
        return path
    }()

    /// Fake Leaflet files, to check the static route serves exactly what is on disk.
    static let leaflet: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-leaflet-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir.appendingPathComponent("images"), withIntermediateDirectories: true)
        try! "window.L = {version: 'test'};\n".write(to: dir.appendingPathComponent("leaflet.js"), atomically: true, encoding: .utf8)
        try! ".leaflet-container { }\n".write(to: dir.appendingPathComponent("leaflet.css"), atomically: true, encoding: .utf8)
        try! Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]).write(to: dir.appendingPathComponent("images/marker-icon.png"))
        try! "secret".write(to: dir.appendingPathComponent("images/notes.txt"), atomically: true, encoding: .utf8)
        return dir.path
    }()

    static func configuration(maximumLimit: Int = 10_000) -> ServiceConfiguration {
        ServiceConfiguration(databasePath: database, port: 0, connections: 2, maximumLimit: maximumLimit, leafletDirectory: leaflet)
    }

    static var quietLogger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// Runs `body` against the service in Hummingbird's router test mode (no socket).
    static func withService<T: Sendable>(_ configuration: ServiceConfiguration = configuration(), accessLogger: Logger = quietLogger,
                                         _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = try buildApplication(configuration, logger: quietLogger, accessLogger: accessLogger)
        return try await app.test(.router, body)
    }
}

extension TestResponse {
    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }

    var json: [String: Any] {
        get throws { try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) }
    }
}

extension [String: Any] {
    /// The `href` of the first link with relation `rel`.
    func link(_ rel: String) -> String? {
        (self["links"] as? [[String: Any]])?.first { $0["rel"] as? String == rel }?["href"] as? String
    }
}

/// The path and query of a link, to request it again through the test client.
func pathAndQuery(_ href: String) throws -> String {
    let url = try #require(URL(string: href))
    return url.path + (url.query.map { "?" + $0 } ?? "")
}
