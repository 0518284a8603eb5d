import Foundation
import Testing
import UrbanModel
import UrbanStore

/// `urbangrid lookup --at`, `urbangrid frontage build`, and the duty rules, through the binary: a community near
/// Zibo with its square grid, one street along 36.8010°N, two shops 12 m north and south of it and a school.
/// 0.00011° of latitude is 12.2 m there, 0.00008° 8.9 m: a spot 8.9 m north of the street lies in the 5 m strip in
/// front of the shop 12.2 m north (7.2…12.2 m).
@Suite struct DutyCommandTests {
    struct City {
        let dir: String, db: String, cell: String, segment: String
    }

    static let spot = ["--lon", "118.0510", "--lat", "36.80108"]

    func json(_ r: CommandResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout) \(r.stderr)")
    }

    func city() throws -> City {
        let dir = try CLI.temporaryDirectory("cli-duty")
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        try #"""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"370303001001","level":"community","name":"测试社区"},
            "geometry":{"type":"Polygon","coordinates":[[[118.05,36.80],[118.0533,36.80],[118.0533,36.802],[118.05,36.802],[118.05,36.80]]]}}]}
            """#.write(toFile: dir + "/community.geojson", atomically: true, encoding: .utf8)
        try #"""
            {"type":"FeatureCollection","features":[{"type":"Feature","id":"s1","properties":{"name":"纬一路"},
            "geometry":{"type":"LineString","coordinates":[[118.0505,36.8010],[118.0525,36.8010]]}}]}
            """#.write(toFile: dir + "/streets.geojson", atomically: true, encoding: .utf8)
        try """
            id,name,kind,lon,lat
            p1,小卖部,shop,118.0510,36.80111
            p2,理发店,shop,118.0520,36.80089
            k1,小学,school,118.0515,36.80111
            """.write(toFile: dir + "/pois.csv", atomically: true, encoding: .utf8)
        for (layer, file) in [("admin", "community.geojson"), ("streets", "streets.geojson"), ("pois", "pois.csv")] {
            let r = try CLI.run(["import", db, "--layer", layer, dir + "/" + file])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try CLI.run(["grid", "build", db, "--shape", "square", "--area", "370303"]).status == 0)
        // the cell and the segment of the spot, for the chiefs file
        let before = try json(try CLI.run(["lookup", db, "--format", "json"] + Self.spot))
        let cell = try #require(before["grid_code"] as? String), segment = try #require(before["segment_id"] as? String)
        // before any chief: the keys are there, empty
        #expect(before["responsible"] is NSNull && before["road_chief"] is NSNull && before["frontage_unit"] is NSNull && before["at"] == nil)
        try """
            id,name,role,phone,backup,on_duty,grid_code,segment_id,poi_id
            g1,王A,grid_chief,0533-1,李B,Mo-Fr 08:30-17:30; PH off,\(cell),,
            r1,路长甲,road_chief,0533-2,,Mo-Fr 08:00-18:00; PH off,,\(segment),
            f1,店主1,frontage,138,,,,,p1
            """.write(toFile: dir + "/chiefs.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["import", db, "--layer", "chiefs", dir + "/chiefs.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        return City(dir: dir, db: db, cell: cell, segment: segment)
    }

    @Test func frontageBuildThenLookupAtAMoment() throws {
        let c = try city()
        defer { try? FileManager.default.removeItem(atPath: c.dir) }
        let built = try CLI.run(["frontage", "build", c.db, "--kinds", "shop", "--depth", "5", "--format", "json"])
        #expect(built.status == 0, "\(built.stderr)")
        let b = try json(built)
        #expect(b["units"] as? Int == 2 && b["assigned"] as? Int == 1 && b["unassigned"] as? [String] == ["p2"])
        #expect((b["skipped"] as? [Any])?.isEmpty == true)
        // an ordinary Friday morning: the grid chief and the road chief are on duty; the shop's holder keeps the pavement
        let friday = try json(try CLI.run(["lookup", c.db, "--at", "2026-10-09T10:00+08:00", "--format", "json"] + Self.spot))
        #expect(friday["at"] as? String == "2026-10-09T10:00:00+08:00")
        #expect(friday["chief"] as? String == "王A" && friday["phone"] as? String == "0533-1" && friday["on_duty"] as? Bool == true)
        #expect(friday["responsible"] as? String == "王A" && friday["road_chief"] as? String == "路长甲" && friday["road_chief_on_duty"] as? Bool == true)
        #expect(friday["frontage_unit"] as? String == "p1" && friday["frontage_holder"] as? String == "店主1")
        // National Day, local time without an offset (the city's zone, Asia/Shanghai): the backup answers the cell,
        // nobody the road
        let holiday = try json(try CLI.run(["lookup", c.db, "--at", "2026-10-01T10:00", "--format", "json"] + Self.spot))
        #expect(holiday["at"] as? String == "2026-10-01T10:00:00+08:00" && holiday["on_duty"] as? Bool == false)
        #expect(holiday["responsible"] as? String == "李B" && holiday["road_responsible"] is NSNull && holiday["road_chief_on_duty"] as? Bool == false)
        // the table says who answers
        let table = try CLI.run(["lookup", c.db, "--at", "2026-10-01T10:00"] + Self.spot)
        #expect(table.status == 0 && table.stdout.contains("李B") && table.stdout.contains("王A is off duty: the backup 李B answers"), "\(table.stdout)")
        // a batch carries the keys with --at
        try "lon,lat\n118.0510,36.80108\n118.0520,36.80092\n".write(toFile: c.dir + "/spots.csv", atomically: true, encoding: .utf8)
        let batch = try CLI.run(["lookup", c.db, "--points", c.dir + "/spots.csv", "--at", "2026-10-09T10:00+08:00", "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(batch.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["frontage_unit"] as? String } == ["p1", "p2"] && rows[1]["frontage_holder"] is NSNull)
    }

    @Test func theDutyRulesAndTheGridAudit() throws {
        let c = try city()
        defer { try? FileManager.default.removeItem(atPath: c.dir) }
        #expect(try CLI.run(["frontage", "build", c.db, "--kinds", "shop"]).status == 0)
        try """
            {"rules": [{"id": "D1", "kind": "no-one-on-duty"}, {"id": "D2", "kind": "segment-without-road-chief"}, {"id": "D3", "kind": "frontage-unassigned"}]}
            """.write(toFile: c.dir + "/rules.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["audit", c.db, "--rules", c.dir + "/rules.json", "--at", "2026-10-01T10:00+08:00", "--format", "json"])
        #expect(r.status == 1)
        let rules = try #require(try json(r)["rules"] as? [[String: Any]])
        func offenders(_ i: Int) -> [String] { (rules[i]["offenders"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [] }
        #expect(offenders(0) == [c.segment] && rules[1]["passed"] as? Bool == true && offenders(2) == ["p2"])
        let friday = try CLI.run(["audit", c.db, "--rules", c.dir + "/rules.json", "--at", "2026-10-09T10:00+08:00", "--format", "json"])
        #expect((try json(friday)["rules"] as? [[String: Any]])?[0]["passed"] as? Bool == true)
        let grid = try CLI.run(["grid", "audit", c.db, "--at", "2026-10-01T10:00+08:00", "--format", "json"])
        #expect(grid.status == 1)
        let counts = try #require(try json(grid)["counts"] as? [String: Int])
        #expect(counts["noOneOnDuty"] == 1 && counts["frontageUnassigned"] == 1 && counts["noRoadChief"] == 0, "\(counts)")
    }

    @Test func badInputExitsTwoAndStoresNothing() throws {
        let c = try city()
        defer { try? FileManager.default.removeItem(atPath: c.dir) }
        #expect(try CLI.run(["frontage", "build", c.db, "--kinds", "shop"]).status == 0)
        let at = try CLI.run(["lookup", c.db, "--at", "tomorrow"] + Self.spot)
        #expect(at.status == 2 && at.stderr.contains("'tomorrow' is not an ISO 8601 time"), "\(at.stderr)")
        let header = "id,name,role,phone,backup,on_duty,grid_code\n"
        for (text, field) in [(header + "x1,甲,mayor,1,,,\n", "bad.csv (features[0].properties.role): 'mayor' is not one of grid_chief, road_chief, street_chief, frontage"),
                              (header + "x1,甲,grid_chief,1,,Mo-Fr 08:30-17:30,\nx2,乙,grid_chief,1,,Mo-Fr 25:00-26:00,\n",
                               "bad.csv (features[1].properties.on_duty): opening_hours error at offset 6: start hour 25 is not 00-23")] {
            try text.write(toFile: c.dir + "/bad.csv", atomically: true, encoding: .utf8)
            let bad = try CLI.run(["import", c.db, "--layer", "chiefs", c.dir + "/bad.csv"])
            #expect(bad.status == 2 && bad.stderr.contains(field), "\(bad.stderr)")
        }
        #expect(try UrbanDatabase(path: c.db, readOnly: true).count(.chiefs) == 3)
        // a frontage build refused before it starts leaves the units as they were
        for args in [["--depth", "0"], ["--depth", "nan"], ["--from-layer", "parks"], ["--from-layer", "chiefs"], ["--from-layer", "grids", "--kinds", "shop"]] {
            let r = try CLI.run(["frontage", "build", c.db] + args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
        }
        let units = try #require(try UrbanDatabase(path: c.db, readOnly: true).frontageUnits())
        #expect(units.map(\.id) == ["p1", "p2"])
    }
}
