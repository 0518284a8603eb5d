import Foundation
import Hummingbird
import HummingbirdTesting
import SpatialCore
import Testing
import UrbanModel
import UrbanService
import UrbanStore

/// `/lookup?…&at=`: who answers for a spot at a moment (operations-api §3). A street along 36.8010°N near Zibo, a
/// shop 12.2 m north of it (0.00011° of latitude), its frontage unit built 5 m deep, a road chief on weekday hours
/// with a backup, and the shop's duty holder.
@Suite struct DutyRoutesTests {
    static let database: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-duty-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("city.sqlite").path
        let db = try! UrbanDatabase.create(path: path)
        try! db.importFeatures([Feature(id: .string("s1"), geometry: .lineString(try! LineString([Coordinate(118.0505, 36.8010), Coordinate(118.0525, 36.8010)])),
                                        properties: [:])], into: .streets, source: "streets")
        try! db.importFeatures([Feature(id: .string("p1"), geometry: .point(x: 118.0510, y: 36.80111), properties: ["name": "小卖部", "kind": "shop"])],
                               into: .pois, source: "pois")
        try! db.importFeatures([
            Feature(id: .string("r1"), geometry: nil, properties: ["name": "路长甲", "role": "road_chief", "backup": "路长乙", "on_duty": "Mo-Fr 08:00-18:00; PH off", "segment_id": "s1"]),
            Feature(id: .string("f1"), geometry: nil, properties: ["name": "店主1", "role": "frontage", "phone": "138", "poi_id": "p1"]),
        ], into: .chiefs, source: "chiefs")
        try! db.replaceFrontageUnits(try! FrontageBuild.build(db, frame: try! CityFrame(db), options: FrontageBuild.Options()).units)
        return path
    }()

    static func configuration() -> ServiceConfiguration {
        ServiceConfiguration(databasePath: database, port: 0, connections: 2, leafletDirectory: Fixture.leaflet)
    }

    @Test func lookupAtAMoment() async throws {
        try await Fixture.withService(Self.configuration()) { client in
            // National Day 2026-10-01 (PH off): the road chief is off, the backup answers
            let holiday = try await client.execute(uri: "/lookup?lon=118.0510&lat=36.80108&at=2026-10-01T10:00%2B08:00", method: .get)
            #expect(holiday.status == .ok)
            let h = try holiday.json
            #expect(h["at"] as? String == "2026-10-01T10:00:00+08:00" && h["segment_id"] as? String == "s1")
            #expect(h["road_chief"] as? String == "路长甲" && h["road_chief_on_duty"] as? Bool == false && h["road_responsible"] as? String == "路长乙")
            #expect(h["frontage_unit"] as? String == "p1" && h["frontage_holder"] as? String == "店主1" && h["frontage_holder_phone"] as? String == "138")
            // outside every grid: no cell chief, nothing to say about one
            #expect(h["grid_code"] is NSNull && h["on_duty"] is NSNull && h["responsible"] is NSNull && h["duty_note"] is NSNull)
            // a Friday morning, local time without an offset
            let friday = try await client.execute(uri: "/lookup?lon=118.0510&lat=36.80108&at=2026-10-09T10:00", method: .get).json
            #expect(friday["road_chief_on_duty"] as? Bool == true && friday["road_responsible"] as? String == "路长甲")
            // without at: the same keys, for the moment of the request, and no at key
            let now = try await client.execute(uri: "/lookup?lon=118.0510&lat=36.80108", method: .get).json
            #expect(now["at"] == nil && now["road_chief"] as? String == "路长甲" && now.keys.contains("road_chief_on_duty"))
            // the road, not the pavement: no frontage unit
            #expect(try await client.execute(uri: "/lookup?lon=118.0510&lat=36.80101", method: .get).json["frontage_unit"] is NSNull)
            let bad = try await client.execute(uri: "/lookup?lon=118.0510&lat=36.80108&at=tomorrow", method: .get)
            #expect(bad.status == .badRequest && bad.text.contains("'tomorrow' is not an ISO 8601 time"), "\(bad.text)")
            // the API document names the parameter
            let api = try await client.execute(uri: "/api", method: .get).json
            let lookup = ((api["paths"] as? [String: Any])?["/lookup"] as? [String: Any])?["get"] as? [String: Any]
            #expect((lookup?["parameters"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["lon", "lat", "at", "crs"])
        }
    }
}
