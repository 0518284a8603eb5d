import Foundation
import Testing

/// A first look at the bundled data: the Helsinki street segments into a new UrbanGrid city.
/// Expected values from GeoData/helsinki (its README: 4612 segments, 92.021 km planar in EPSG:3067).
@Suite struct DemoCommandTests {
    func tempDB() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-demo-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("demo.sqlite").path
    }

    @Test func loadsHelsinkiStreets() throws {
        let db = tempDB()
        defer { try? FileManager.default.removeItem(atPath: (db as NSString).deletingLastPathComponent) }
        let r = try CLI.run(["demo", "--db", db, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["segments"] as? Int == 4612)
        #expect(o["metric_crs"] as? String == "EPSG:32635")  // UTM 35N: lon 24.94 → zone 35
        let total = try #require(o["total_length_m"] as? Double)
        #expect(abs(total - 92_021) < 30, "UTM 35N vs TM35FIN differ by ~1e-6 relative; README total 92.021 km")
        #expect(o["engine"] as? String == "SpatiaLite")
        let near = try #require(o["near_centre"] as? [[String: Any]])
        #expect(!near.isEmpty)
        let d = near.compactMap { $0["distance_m"] as? Double }
        #expect(d == d.sorted() && d.allSatisfy { $0 <= 100 })
    }

    @Test func refusesExistingDatabase() throws {
        let db = tempDB()
        defer { try? FileManager.default.removeItem(atPath: (db as NSString).deletingLastPathComponent) }
        _ = FileManager.default.createFile(atPath: db, contents: Data("keep me".utf8))
        let r = try CLI.run(["demo", "--db", db])
        #expect(r.status == 2)
        #expect(r.stderr.contains("exists already"))
        #expect(FileManager.default.contents(atPath: db) == Data("keep me".utf8))
    }

    @Test func badGeoJSONNamesThePlaceAndWritesNothing() throws {
        let db = tempDB()
        let dir = (db as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bad = dir + "/bad.geojson"
        try #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["demo", "--db", db, "--data", bad])
        #expect(r.status == 2)
        #expect(r.stderr.contains("features[1].geometry"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}
