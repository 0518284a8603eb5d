import Foundation
import Testing

/// `--network walk|drive` of `stations nearest` and `coverage`, `service-area`, and the network form of the
/// station-coverage rule, on a street layout solvable by hand, imported in UTM 35N (EPSG:32635, the CRS the
/// database measures Helsinki-area data in), 385000 E, 6672000 N plus these offsets in metres:
/// ```
///                 D(100,100) ───s3 (footway)─── (200,100)
///                  │                                │
///                  s2 (two-way)                     │
///                  │                                │
///  A(0,0) ──s0── B(100,0) ──s1 (one-way B→C)────── C(200,0)
/// ```
/// s1 is given drawn from C to B with OSM's `oneway: "-1"`, so import must turn it around. Stations st1 (30,10),
/// st2 (150,−5); demand d1 (60,−3) weight 2, d2 (190,60) weight 3. By hand: walking, st1→d1 = 10+30+3 = 43,
/// st2→d1 = 5+50+40+3 = 98, st1→d2 = 10+70+100+60+10 = 250, st2→d2 = 5+50+60+10 = 125; driving (d2 snaps to s1
/// at 90 m, 60 m away; cars cannot leave C), st1→d1 = 43, st2→d1 unreachable, st2→d2 = 5+40+60 = 105.
@Suite struct NetworkCommandTests {
    static let (x0, y0) = (385_000.0, 6_672_000.0)

    static func point(_ x: Double, _ y: Double) -> String { "[\(x0 + x), \(y0 + y)]" }

    static func line(_ id: String, _ pts: [(Double, Double)], _ props: String) -> String {
        #"{"type":"Feature","id":"\#(id)","properties":{\#(props)},"geometry":{"type":"LineString","coordinates":[\#(pts.map { point($0.0, $0.1) }.joined(separator: ","))]}}"#
    }

    static func makeDatabase(_ dir: String) throws -> String {
        let db = dir + "/n.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        let streets = """
            {"type":"FeatureCollection","features":[
            \(line("s0", [(0, 0), (100, 0)], #""highway":"residential""#)),
            \(line("s1", [(200, 0), (100, 0)], #""highway":"residential","oneway":"-1""#)),
            \(line("s2", [(100, 0), (100, 50), (100, 100)], #""highway":"service","oneway":"no""#)),
            \(line("s3", [(100, 100), (200, 100), (200, 0)], #""highway":"footway""#))
            ]}
            """
        func points(_ items: [(String, Double, Double, String)]) -> String {
            #"{"type":"FeatureCollection","features":["#
                + items.map { #"{"type":"Feature","id":"\#($0.0)","properties":{\#($0.3)},"geometry":{"type":"Point","coordinates":\#(point($0.1, $0.2))}}"# }
                .joined(separator: ",") + "]}"
        }
        try streets.write(toFile: dir + "/streets.geojson", atomically: true, encoding: .utf8)
        try points([("st1", 30, 10, ""), ("st2", 150, -5, "")]).write(toFile: dir + "/stations.geojson", atomically: true, encoding: .utf8)
        try points([("d1", 60, -3, #""weight":2"#), ("d2", 190, 60, #""weight":3"#)]).write(toFile: dir + "/demand.geojson", atomically: true, encoding: .utf8)
        for layer in ["streets", "stations", "demand"] {
            let r = try CLI.run(["import", db, "--layer", layer, dir + "/\(layer).geojson", "--crs", "EPSG:32635"])
            #expect(r.status == 0, "\(layer): \(r.stderr)")
        }
        return db
    }

    /// lon/lat of a spot given in metres from the origin (PROJ, through `urbangrid transform`).
    static func lonLat(_ x: Double, _ y: Double) throws -> [String] {
        let r = try CLI.run(["transform", "--from", "EPSG:32635", "--to", "EPSG:4326", String(x0 + x), String(y0 + y)])
        return r.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    static func json(_ r: CommandResult) throws -> Any { try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) }

    @Test func nearestStationsAndCoverageByHand() throws {
        let dir = try CLI.temporaryDirectory("network")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try Self.makeDatabase(dir)

        let d1 = try Self.lonLat(60, -3), d2 = try Self.lonLat(190, 60)
        func nearest(_ spot: [String], _ mode: String) throws -> [(String, Double)] {
            let r = try CLI.run(["stations", "nearest", db, "--lon", spot[0], "--lat", spot[1], "--k", "2", "--network", mode, "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            let a = try #require(try Self.json(r) as? [[String: Any]])
            #expect(a.allSatisfy { $0["distance"] as? String == "network" && $0["network"] as? String == mode })
            return a.map { ($0["id"] as! String, $0["distance_m"] as! Double) }
        }
        // distance_m has one decimal
        #expect(try nearest(d1, "walk").map(\.0) == ["st1", "st2"] && nearest(d1, "walk").map(\.1) == [43, 98])
        #expect(try nearest(d1, "drive").map(\.0) == ["st1"] && nearest(d1, "drive").map(\.1) == [43])  // st2 cannot get there
        #expect(try nearest(d2, "drive").map(\.0) == ["st2", "st1"] && nearest(d2, "drive").map(\.1) == [105, 230])

        func coverage(_ mode: String, _ radius: String) throws -> [String: Any] {
            let r = try CLI.run(["coverage", db, "--facilities", "stations", "--demand", "demand", "--radius", radius, "--network", mode, "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            return try #require(try Self.json(r) as? [String: Any])
        }
        let walk = try coverage("walk", "100")
        #expect(walk["distance"] as? String == "network" && walk["network"] as? String == "walk")
        #expect(walk["covered_weight"] as? Double == 2 && walk["total_weight"] as? Double == 5 && walk["coverage_pct"] as? Double == 40)
        let wu = try #require(walk["units"] as? [[String: Any]])
        #expect(wu.map { $0["facility_id"] as? String } == ["st1", "st2"] && wu.map { $0["covered"] as? Bool } == [true, false])
        let wd = wu.map { $0["distance_m"] as! Double }
        #expect(abs(wd[0] - 43) < 0.002 && abs(wd[1] - 125) < 0.002, "\(wd)")
        let drive = try coverage("drive", "110")
        let du = try #require(drive["units"] as? [[String: Any]])
        #expect(drive["coverage_pct"] as? Double == 100 && du.map { $0["facility_id"] as? String } == ["st1", "st2"])
        let dd = du.map { $0["distance_m"] as! Double }
        #expect(abs(dd[0] - 43) < 0.002 && abs(dd[1] - 105) < 0.002, "\(dd)")
        // straight-line still the default; boundary is straight-line only
        let straight = try CLI.run(["coverage", db, "--facilities", "stations", "--demand", "demand", "--radius", "100", "--format", "json"])
        #expect(try (Self.json(straight) as? [String: Any])?["distance"] as? String == "straight-line")
        let boundary = try CLI.run(["coverage", db, "--facilities", "stations", "--demand", "demand", "--radius", "100", "--network", "walk", "--measure", "boundary"])
        #expect(boundary.status == 2 && boundary.stderr.contains("straight-line only"), "\(boundary.stderr)")
        let badMode = try CLI.run(["coverage", db, "--facilities", "stations", "--demand", "demand", "--radius", "100", "--network", "bike"])
        #expect(badMode.status == 2)

        // the station-coverage rule with "network"
        try #"{"rules":[{"id":"W","kind":"station-coverage","radius_m":100,"network":"walk"},{"id":"D","kind":"station-coverage","radius_m":110,"network":"drive"}]}"#
            .write(toFile: dir + "/rules.json", atomically: true, encoding: .utf8)
        // grids are the rule's demand: none here, so both pass with 0 checked (the rule's network path still runs)
        let audit = try CLI.run(["audit", db, "--rules", dir + "/rules.json", "--format", "json"])
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
        #expect(audit.stdout.contains("walking along the streets") && audit.stdout.contains("driving along the streets"))
    }

    @Test func serviceAreasByHand() throws {
        let dir = try CLI.temporaryDirectory("service-area")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try Self.makeDatabase(dir)
        func area(_ x: Double, _ y: Double, _ mode: String, _ radius: String, _ format: String = "json") throws -> CommandResult {
            let s = try Self.lonLat(x, y)
            return try CLI.run(["service-area", db, "--lon", s[0], "--lat", s[1], "--radius", radius, "--network", mode, "--format", format])
        }
        // from (30,10): 90 m left at the snap point; A at 40 m, B at 80 m: all of s0, 20 m of s1 and of s2
        let r = try area(30, 10, "walk", "100")
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try Self.json(r) as? [String: Any])
        let parts = try #require(o["parts"] as? [[String: Any]])
        #expect(parts.map { $0["segment_id"] as! String } == ["s0", "s1", "s2"])
        #expect(parts.map { $0["complete"] as! Bool } == [true, false, false])
        let lengths = parts.map { $0["length_m"] as! Double }
        #expect(abs(lengths[0] - 100) < 0.002 && abs(lengths[1] - 20) < 0.002 && abs(lengths[2] - 20) < 0.002, "\(lengths)")
        #expect(abs((o["connector_m"] as! Double) - 10) < 0.002 && o["snap_segment_id"] as? String == "s0")
        // driving from (150,−5): only forwards along the one-way s1, 50 m to the dead end
        let d = try #require(try Self.json(try area(150, -5, "drive", "100")) as? [String: Any])
        let dp = try #require(d["parts"] as? [[String: Any]])
        #expect(dp.count == 1 && dp[0]["segment_id"] as? String == "s1" && abs((dp[0]["from_m"] as! Double) - 50) < 0.002)
        // walking from there: every segment from B and C, 45 m left at each
        let w = try #require(try Self.json(try area(150, -5, "walk", "100")) as? [String: Any])
        #expect(abs((w["reached_length_m"] as! Double) - 235) < 0.005, "\(w["reached_length_m"] ?? "")")
        // GeoJSON: the parts, the area (a counter-clockwise exterior in lon/lat) and the origin
        let g = try area(30, 10, "walk", "100", "geojson")
        let fc = try #require(try Self.json(g) as? [String: Any])
        let features = try #require(fc["features"] as? [[String: Any]])
        let kinds = features.map { ($0["properties"] as! [String: Any])["kind"] as! String }
        #expect(kinds == ["street", "street", "street", "area", "origin"])
        let polygon = try #require(features[3]["geometry"] as? [String: Any])
        #expect(polygon["type"] as? String == "Polygon")
        let ring = try #require((polygon["coordinates"] as? [[[Double]]])?.first)
        var twice = 0.0
        for i in 0..<(ring.count - 1) { twice += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] }
        #expect(twice > 0)
        // the 25 m buffer of those three parts: 8679.829 m² by Shapely 2.2 (GEOS 3.13, 8 segments per quarter circle;
        // `area_m2` is rounded to the square metre)
        let m2 = try #require((features[3]["properties"] as? [String: Any])?["area_m2"] as? Double)
        #expect(m2 == 8680, "\(m2)")
        // nothing within reach: exit 1
        let none = try area(30, 10, "walk", "5")
        #expect(none.status == 1 && none.stdout.contains(#""parts":[]"#))
        let hull = try CLI.run(["service-area", db, "--lon", try Self.lonLat(30, 10)[0], "--lat", try Self.lonLat(30, 10)[1], "--radius", "100", "--hull-ratio", "0.5"])
        #expect(hull.status == 0 && hull.stdout.contains("concave hull"), "\(hull.stdout)\(hull.stderr)")
    }

    /// `site DB`: candidates c1 (30,10), c2 (150,−5), c3 (100,100) in `pois`, the demand above. Walking, site → demand:
    /// c1 43 / 250, c2 98 / 125, c3 143 / 150 (c3 stands on D: 40 m down s0 from B plus 3; 140 m along the footway
    /// plus 10). Straight-line: c1 32.7 / 167.6, c2 90.0 / 76.3, c3 110.5 / 98.5. Driving, c2 cannot reach d1 and
    /// c1 → d2 = 230, c3 → d1 = 143, c3 → d2 = 100 + 90 + 60 = 250.
    @Test func siteFromLayersByHand() throws {
        let dir = try CLI.temporaryDirectory("site")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try Self.makeDatabase(dir)
        func write(_ name: String, _ items: [(String, Double, Double, String)]) throws {
            try (#"{"type":"FeatureCollection","features":["#
                + items.map { #"{"type":"Feature","id":"\#($0.0)","properties":{\#($0.3)},"geometry":{"type":"Point","coordinates":\#(Self.point($0.1, $0.2))}}"# }
                .joined(separator: ",") + "]}").write(toFile: dir + "/\(name).geojson", atomically: true, encoding: .utf8)
            let r = try CLI.run(["import", db, "--layer", name, dir + "/\(name).geojson", "--crs", "EPSG:32635"])
            #expect(r.status == 0, "\(name): \(r.stderr)")
        }
        try write("pois", [("c1", 30, 10, #""kind":"kiosk""#), ("c2", 150, -5, #""kind":"kiosk""#), ("c3", 100, 100, #""kind":"kiosk""#)])
        try write("hazards", [("h1", 150, -3, #""kind":"component","class_code":"0101","status":"open""#)])
        func site(_ args: [String]) throws -> [String: Any] {
            let r = try CLI.run(["site", db, "--demand", "demand", "--candidates", "pois", "--format", "json"] + args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            return try #require(try Self.json(r) as? [String: Any])
        }
        func selected(_ o: [String: Any]) -> [String] { o["selected"] as? [String] ?? [] }
        func objective(_ o: [String: Any]) -> Double { o["objective"] as? Double ?? .nan }

        var o = try site(["--model", "mclp", "--p", "1", "--radius", "130", "--network", "walk"])
        #expect(selected(o) == ["c2"] && o["covered_weight"] as? Double == 5 && o["status"] as? String == "optimal")
        #expect(o["distance"] as? String == "network" && o["network"] as? String == "walk" && o["demand_count"] as? Int == 2 && o["candidate_count"] as? Int == 3)
        o = try site(["--model", "mclp", "--p", "1", "--radius", "100"])
        #expect(selected(o) == ["c2"] && o["covered_weight"] as? Double == 5 && o["distance"] as? String == "straight-line")
        o = try site(["--model", "mclp", "--p", "1", "--radius", "100", "--network", "walk"])
        #expect(selected(o) == ["c1"] && o["covered_weight"] as? Double == 2)  // 43 to d1; nothing reaches d2 within 100
        o = try site(["--model", "pmedian", "--p", "1", "--network", "walk"])
        #expect(selected(o) == ["c2"] && abs(objective(o) - 571) < 0.01, "\(objective(o))")  // 2·98 + 3·125
        o = try site(["--model", "pcenter", "--p", "1", "--network", "walk"])
        #expect(selected(o) == ["c2"] && abs(objective(o) - 125) < 0.01)
        o = try site(["--model", "lscp", "--radius", "130", "--network", "walk"])
        #expect(selected(o) == ["c2"] && objective(o) == 1)
        // driving: c2 is cut off from d1 (a penalty, noted); c1 wins with 2·43 + 3·230
        o = try site(["--model", "pmedian", "--p", "1", "--network", "drive"])
        #expect(selected(o) == ["c1"] && abs(objective(o) - 776) < 0.01 && o["unconnected_pairs"] as? Int == 1, "\(o)")
        #expect((o["notes"] as? [String])?.contains { $0.contains("not connected by the drive network") } == true)
        // an exclusion buffer drops c2 (2 m from hazard h1); existing stations are fixed and open
        o = try site(["--model", "mclp", "--p", "1", "--radius", "130", "--network", "walk", "--exclude", "hazards", "--exclude-buffer", "5"])
        #expect(selected(o) == ["c1"] && o["covered_weight"] as? Double == 2 && o["candidate_count"] as? Int == 2)
        #expect((o["excluded"] as? [[String: String]]) == [["id": "c2", "near": "h1"]])
        o = try site(["--model", "mclp", "--p", "2", "--radius", "130", "--network", "walk", "--fixed", "stations", "--exclude", "hazards", "--exclude-buffer", "5"])
        // st1 and st2 (fixed) already reach d1 (43) and d2 (125): p = 2 is all fixed
        #expect(selected(o) == ["st1", "st2"] && o["covered_weight"] as? Double == 5 && (o["fixed"] as? [String]) == ["st1", "st2"], "\(o)")
        // bad input: exit 2 with what and where
        let weight = try CLI.run(["site", db, "--demand", "demand", "--candidates", "pois", "--model", "lscp", "--radius", "100", "--weight", "people"])
        #expect(weight.status == 2 && weight.stderr.contains("demand d1") && weight.stderr.contains("weight 'people'"), "\(weight.stderr)")
        let both = try CLI.run(["site", db, "--instance", dir, "--model", "lscp", "--radius", "100"])
        #expect(both.status == 2)
        let missing = try CLI.run(["site", db, "--model", "lscp", "--radius", "100"])
        #expect(missing.status == 2 && missing.stderr.contains("--demand LAYER and --candidates LAYER"))
    }
}
