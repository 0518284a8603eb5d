import Foundation
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanStore

/// Issue 20 on both engines: a city of districts only (the Zibo boundaries) is gridded at the level it has, coded
/// with zeros for the missing street and community; a spot outside every community is answered by its district;
/// vendor zones carry their status and stalls.
@Suite struct AdminLevelStoreTests {
    @Test(arguments: Engine.allCases)
    func districtsOnlyGridAndLookup(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try City.create(fresh.location, timeZone: "Asia/Shanghai")
        defer { (db as? PostGISDatabase)?.close() }
        #expect(try DemoData.importFile(DemoData.path("GeoData/zibo/districts.geojson"), into: .admin, db) == 8)
        // every district when no code is given, one with its code, none under an unknown code
        let all = try db.gridAreas(under: nil)
        #expect(all.count == 8 && all.allSatisfy { $0.code.count == 12 && $0.code.hasSuffix("000000") }, "\(engine)")
        let one = try db.gridAreas(under: "370303")
        #expect(one.map(\.code) == ["370303000000"])
        #expect(throws: ModelError.self) { try db.gridAreas(under: "110101") }
        // the Zhangdian reference point of gcj02.json (WGS84): its district answers, by both lookup strategies
        let spot = Coordinate(118.0548, 36.8131)
        let frame = try CityFrame(db)
        for lookup in [try StoreLookup(db, frame: frame) as any SpotLookup, try IndexedLookup(db, frame: frame)] {
            let r = try lookup.lookup(lon: spot.x, lat: spot.y)
            #expect(r.districtCode == "370303" && r.streetCode == nil && r.communityCode == nil && r.gridCode == nil, "\(engine) \(type(of: lookup))")
        }
        // the district's grid: cells coded 370303000000NNN, looked up with no community or street
        let built = try GridBuilder.build(one, shape: .square, cellSize: 2000)
        try db.replaceGrids(with: built)
        let r = try IndexedLookup(db, frame: try CityFrame(db)).lookup(lon: spot.x, lat: spot.y)
        #expect(r.gridCode?.hasPrefix("370303000000") == true && r.communityCode == nil && r.streetCode == nil && r.districtCode == "370303")
        let findings = try GridAudit.run(db).filter { $0.kind != .noChief }
        #expect(findings.isEmpty, "\(engine): \(findings.map(\.detail))")
    }

    @Test(arguments: Engine.allCases)
    func vendorZoneStatusAndStalls(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try City.create(fresh.location, timeZone: "Asia/Shanghai")
        defer { (db as? PostGISDatabase)?.close() }
        let square = Geometry.polygon(Polygon(exterior: try LinearRing([Coordinate(116.39, 39.90), Coordinate(116.40, 39.90), Coordinate(116.40, 39.91),
                                                                        Coordinate(116.39, 39.91), Coordinate(116.39, 39.90)])))
        let zones = [("a", "active"), ("s", "suspended"), ("c", "closed")].map { id, status in
            Feature(id: .string(id), geometry: square, properties: ["status": .string(status), "stalls": 7, "hours": "24/7"])
        }
        try db.importFeatures(zones, into: .vendorZones, source: "test")
        let table = try VendorZoneIndex.Table(db)
        #expect(table.zones.map(\.status) == [.active, .closed, .suspended] && table.zones.allSatisfy { $0.stalls == 7 }, "\(engine)")
        let q = try VendorQueries(zones: VendorZoneIndex(table: table), protected: ProtectedPOIIndex(db, frame: try CityFrame(db)),
                                  frame: try CityFrame(db))
        let states = try q.vendorZones(at: Date())
        #expect(states.map { "\($0.zoneID)=\($0.open)" } == ["a=true", "c=false", "s=false"])
        #expect(throws: (any Error).self) {
            try db.importFeatures([Feature(id: .string("x"), geometry: square, properties: ["status": "paused"])], into: .vendorZones, source: "test")
        }
    }
}
