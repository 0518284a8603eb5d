import Foundation
import Testing
import UrbanModel
import UrbanStore

/// The corpus in BadInputs/: every file is rejected with exit status 2, a message that names the file and
/// the place (feature index or line, field) and says what is wrong, and the database keeps what it had.
@Suite struct BadInputCorpusTests {
    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var layer: String
        var extra: [String] = []
        var expected: [String]
        var description: String { file }
    }

    static let cases: [Case] = [
        Case(file: "malformed-json.geojson", layer: "pois", expected: ["line 2", "expected"]),
        Case(file: "unclosed-ring.geojson", layer: "vendor-zones", expected: ["features[0].geometry.coordinates[0]", "closed"]),
        Case(file: "self-intersection.geojson", layer: "vendor-zones", expected: ["feature 0, geometry", "Self-intersection", "--make-valid"]),
        Case(file: "nan.csv", layer: "pois", expected: ["line 3, geometry", "not a finite number"]),
        Case(file: "latitude-over-90.csv", layer: "pois", expected: ["line 3, geometry", "out of range"]),
        Case(file: "duplicate-ids.geojson", layer: "pois", expected: ["features[2].id", "duplicate id '1'"]),
        Case(file: "empty.geojson", layer: "pois", expected: ["empty.geojson"]),
        Case(file: "station-as-line.geojson", layer: "stations", expected: ["features[0].geometry", "LineString"]),
        Case(file: "bad-hours.geojson", layer: "vendor-zones", expected: ["features[1].properties.hours", "opening_hours"]),
        Case(file: "duplicate-ids.geojson", layer: "pois", extra: ["--crs", "EPSG:99999"], expected: ["unknown CRS 'EPSG:99999"]),
    ]

    @Test(arguments: cases)
    func rejectedWithPlaceAndNothingChanges(_ c: Case) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-bad-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        for (layer, file) in [("pois", "GeoData/helsinki/pois.geojson"), ("stations", "GeoData/helsinki/stations.geojson"),
                              ("vendor-zones", "GeoData/helsinki/vendor_zones.geojson")] {
            #expect(try CLI.run(["import", db, "--layer", layer, file]).status == 0)
        }
        func counts() throws -> [Int] {
            let d = try UrbanDatabase(path: db, readOnly: true)
            return try UrbanModel.Layer.allCases.map { try d.count($0) }
        }
        let before = try counts()
        let path = CLI.repositoryRoot.appendingPathComponent("Tests/CLITests/BadInputs/\(c.file)").path
        let r = try CLI.run(["import", db, "--layer", c.layer, path] + c.extra)
        #expect(r.status == 2, "\(c.file): \(r.stderr)")
        for e in c.expected { #expect(r.stderr.contains(e), "\(c.file): '\(e)' not in: \(r.stderr)") }
        if c.extra.isEmpty { #expect(r.stderr.contains(c.file), "the message names the file: \(r.stderr)") }
        #expect(r.stdout.isEmpty)
        #expect(try counts() == before)
    }
}
