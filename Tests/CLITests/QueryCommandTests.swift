import Foundation
import Testing
import UrbanModel
import UrbanStore

/// The query commands as ../shared/reference/cli.md specifies them: JSON keys, input order, exit statuses.
@Suite struct QueryCommandTests {
    /// The Helsinki demo: admin, streets, vendor zones, stations, POIs, a 100 m grid, hazards and chiefs.
    static let demo: String = {
        let dir = try! CLI.temporaryDirectory("query")
        let db = dir + "/demo.sqlite"
        _ = try! CLI.run(["init", db])
        for (layer, file) in [("admin", "admin"), ("streets", "streets"), ("vendor-zones", "vendor_zones"), ("stations", "stations"), ("pois", "pois")] {
            _ = try! CLI.run(["import", db, "--layer", layer, "GeoData/helsinki/\(file).geojson"])
        }
        _ = try! CLI.run(["grid", "build", db, "--shape", "square", "--cell-size", "100"])
        _ = try! CLI.run(["import", db, "--layer", "hazards", "GeoData/helsinki/hazards.geojson"])
        _ = try! CLI.run(["import", db, "--layer", "chiefs", "GeoData/helsinki/chiefs.csv"])
        return db
    }()

    func json(_ r: CommandResult) throws -> Any { try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) }

    @Test func lookupKeysAndBatchOrder() throws {
        let r = try CLI.run(["lookup", Self.demo, "--lon", "24.9435", "--lat", "60.1695", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r) as! [String: Any]
        for key in ["grid_code", "community_code", "street_code", "district_code", "chief", "segment_id", "segment_distance_m"] {
            #expect(o.keys.contains(key), "\(key)")
        }
        let code = o["grid_code"] as! String
        #expect(code.count == 15 && code.hasPrefix(o["community_code"] as! String))
        // batch: a CSV in a given order, one outside every grid; results in the same order
        let dir = try CLI.temporaryDirectory("query")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "id,lon,lat\na,24.9435,60.1695\nb,10,10\nc,24.9450,60.1700\n".write(toFile: dir + "/p.csv", atomically: true, encoding: .utf8)
        let b = try CLI.run(["lookup", Self.demo, "--points", dir + "/p.csv", "--format", "json"])
        #expect(b.status == 0, "\(b.stderr)")
        let rows = try json(b) as! [[String: Any]]
        #expect(rows.map { $0["lon"] as! Double } == [24.9435, 10, 24.9450])
        #expect(rows[0]["grid_code"] as? String == code && rows[1]["grid_code"] is NSNull && rows[2]["grid_code"] is String)
        // a single spot outside every grid: exit 1, grid_code null
        let out = try CLI.run(["lookup", Self.demo, "--lon", "10", "--lat", "10", "--format", "json"])
        let outside = try json(out) as! [String: Any]
        #expect(out.status == 1 && outside["grid_code"] is NSNull)
        let bad = try CLI.run(["lookup", Self.demo, "--lon", "200", "--lat", "10"])
        #expect(bad.status == 2 && bad.stderr.contains("(200.0, 10.0) is not a WGS84"), "\(bad.stderr)")
        #expect(bad.stderr.contains("lon/lat") && !bad.stderr.contains("points[0]"), "\(bad.stderr)")
    }

    @Test func vendorCheckKeysAndStatuses() throws {
        // Friday 2026-11-20 19:00 inside demo-4 (Mo-Su 16:00-22:00)? Find a zone spot from the data: the zone's point on surface
        let db = try UrbanDatabase(path: Self.demo, readOnly: true)
        let spot = try db.store.query("SELECT ST_X(ST_PointOnSurface(geom)) x, ST_Y(ST_PointOnSurface(geom)) y FROM vendor_zones WHERE id = 'demo-2'")[0]
        let (x, y) = (String(spot["x"]!.double!), String(spot["y"]!.double!))
        // demo-2 is open Mo-Su 06:00-09:00
        let open = try CLI.run(["vendor", "check", Self.demo, "--lon", x, "--lat", y, "--at", "2026-11-20T07:30", "--format", "json", "--exclusion", "school=0"])
        let o = try json(open) as! [String: Any]
        for key in ["permitted", "zone_id", "open", "closes_at", "opens_at", "reason"] { #expect(o.keys.contains(key), "\(key)") }
        #expect(open.status == 0 && o["permitted"] as? Bool == true && o["zone_id"] as? String == "demo-2" && o["reason"] is NSNull, "\(open.stdout)\(open.stderr)")
        #expect(o["closes_at"] as? String == "2026-11-20T09:00:00+08:00")
        let closed = try CLI.run(["vendor", "check", Self.demo, "--lon", x, "--lat", y, "--at", "2026-11-20T10:00:00+08:00", "--format", "json", "--exclusion", "school=0"])
        let c = try json(closed) as! [String: Any]
        #expect(closed.status == 1 && c["permitted"] as? Bool == false && c["opens_at"] as? String == "2026-11-21T06:00:00+08:00")
        #expect((c["reason"] as? String)?.contains("closed") == true)
        let nowhere = try CLI.run(["vendor", "check", Self.demo, "--lon", "24.0", "--lat", "60.0", "--at", "2026-11-20T07:30", "--format", "json"])
        let n = try json(nowhere) as! [String: Any]
        #expect(nowhere.status == 1 && n["zone_id"] is NSNull)
        let badTime = try CLI.run(["vendor", "check", Self.demo, "--lon", x, "--lat", y, "--at", "tomorrow"])
        #expect(badTime.status == 2 && badTime.stderr.contains("'tomorrow' is not an ISO 8601 time"))
        let zones = try CLI.run(["vendor", "open", Self.demo, "--at", "2026-11-20T07:30", "--format", "json"])
        #expect(zones.status == 0)
        let ids = ((try json(zones) as! [String: Any])["zones"] as! [[String: Any]]).map { $0["zone_id"] as! String }
        #expect(ids.contains("demo-2") && !ids.contains("demo-1"))  // demo-1 is a Friday/Saturday night market
    }

    /// `PH` follows the built-in State Council calendar unless told otherwise: demo-3 (`Mo-Fr 11:00-14:00,…; PH off`)
    /// is closed at noon on Thursday 2026-10-01 (National Day), open with `--holidays none`; a year the calendar does
    /// not cover is said on stderr; a bad file is exit 2 naming it and its line.
    @Test func vendorHolidaysFollowTheOfficialCalendar() throws {
        func demo3(_ extra: [String], at: String = "2026-10-01T12:00") throws -> (open: Bool?, status: Int32, stderr: String) {
            let r = try CLI.run(["vendor", "open", Self.demo, "--at", at, "--all", "--format", "json"] + extra)
            guard r.status == 0 else { return (nil, r.status, r.stderr) }
            let zones = (try json(r) as! [String: Any])["zones"] as! [[String: Any]]
            return (zones.first { $0["zone_id"] as? String == "demo-3" }?["open"] as? Bool, r.status, r.stderr)
        }
        #expect(try demo3([]).open == false)
        #expect(try demo3(["--holidays", "none"]).open == true)
        #expect(try demo3([], at: "2026-10-08T12:00").open == true)  // the Thursday after the holiday
        let later = try demo3([], at: "2027-10-01T12:00")
        #expect(later.open == true && later.stderr.contains("no holiday calendar for 2027"), "\(later.stderr)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ug-hol-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let next = dir.appendingPathComponent("cn-2027.csv").path
        try "date,kind\n2027-10-01,holiday\n".write(toFile: next, atomically: true, encoding: .utf8)
        let loaded = try demo3(["--holidays", next], at: "2027-10-01T12:00")
        #expect(loaded.open == false && !loaded.stderr.contains("no holiday calendar"))
        let bad = dir.appendingPathComponent("bad.csv").path
        try "date,kind\n2027-10-01,holiday\n2027-10-02,weekend\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try demo3(["--holidays", bad])
        #expect(refused.status == 2 && refused.stderr.contains("bad.csv") && refused.stderr.contains("line 3"), "\(refused.stderr)")
    }

    @Test func hazardsAndStations() throws {
        let r = try CLI.run(["hazards", Self.demo, "--near", "24.9435,60.1695", "--radius", "200", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let hits = try json(r) as! [[String: Any]]
        let d = hits.map { $0["distance_m"] as! Double }
        #expect(!hits.isEmpty && d == d.sorted() && d.last! <= 200)
        let geo = try CLI.run(["hazards", Self.demo, "--near", "24.9435,60.1695", "--radius", "200", "--format", "geojson", "--status", "open"])
        let fc = try json(geo) as! [String: Any]
        #expect(fc["type"] as? String == "FeatureCollection")
        #expect((fc["features"] as! [[String: Any]]).allSatisfy { ($0["properties"] as! [String: Any])["status"] as? String == "open" })
        let none = try CLI.run(["hazards", Self.demo, "--near", "24.0,60.0", "--radius", "10"])
        #expect(none.status == 1)
        let usage = try CLI.run(["hazards", Self.demo, "--near", "24.9435,60.1695"])
        #expect(usage.status == 2 && usage.stderr.contains("--near needs --radius"))
        let hot = try CLI.run(["hazards", "hotspots", Self.demo, "--by", "community", "--format", "json"])
        let rows = try json(hot) as! [[String: Any]]
        let open = try UrbanDatabase(path: Self.demo, readOnly: true).store.scalar("SELECT count(*) FROM hazards WHERE status = 'open' AND grid_code IS NOT NULL").int!
        #expect(hot.status == 0 && rows.map { $0["open_hazards"] as! Int }.reduce(0, +) == open)
        let st = try CLI.run(["stations", "nearest", Self.demo, "--lon", "24.9435", "--lat", "60.1695", "--k", "3", "--format", "json"])
        let s = try json(st) as! [[String: Any]]
        #expect(st.status == 0 && s.count == 3 && (s.map { $0["distance_m"] as! Double }) == (s.map { $0["distance_m"] as! Double }).sorted())
        // along the streets: never shorter than straight-line to the same station
        let all = try json(try CLI.run(["stations", "nearest", Self.demo, "--lon", "24.9435", "--lat", "60.1695", "--k", "100", "--format", "json"])) as! [[String: Any]]
        let straight = Dictionary(uniqueKeysWithValues: all.map { ($0["id"] as! String, $0["distance_m"] as! Double) })
        for mode in ["walk", "drive"] {
            let network = try CLI.run(["stations", "nearest", Self.demo, "--lon", "24.9435", "--lat", "60.1695", "--k", "3", "--network", mode, "--format", "json"])
            let n = try json(network) as! [[String: Any]]
            #expect(network.status == 0 && n.count == 3 && n.allSatisfy { $0["network"] as? String == mode }, "\(network.stderr)")
            #expect(n.allSatisfy { ($0["distance_m"] as! Double) >= straight[$0["id"] as! String]! - 0.1 })
        }
    }
}
