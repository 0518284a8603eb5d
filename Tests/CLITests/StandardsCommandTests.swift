import Foundation
import Testing
import UrbanModel
import UrbanStore

/// Issue 20, parts "CRS on every input" and "what a new user tripped over": coordinates in GCJ-02, BD-09 and EPSG
/// CRSs on every command that takes a spot or a geometry file, answers in another CRS, the Zibo districts (a city
/// with no communities) answered and gridded at the deepest level there is, warnings for spots far outside the city.
/// Expected coordinates come from the reference vectors (Tests/SpatialCoreTests/Vectors: gcj02.json from the
/// published algorithm, cross-checked with prcoords; proj.json from pyproj), never from our own output.
@Suite struct StandardsCommandTests {
    /// A reference point of a vectors file: its name and the values of its keys.
    static func vector(_ file: String, _ name: String) throws -> [String: Any] {
        let url = CLI.repositoryRoot.appendingPathComponent("Tests/SpatialCoreTests/Vectors/\(file)")
        let all = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let points = try #require(all["points"] as? [[String: Any]])
        return try #require(points.first { $0["name"] as? String == name }, "\(name) in \(file)")
    }

    static func pair(_ v: Any?) throws -> (Double, Double) {
        let a = try #require(v as? [Double])
        return (a[0], a[1])
    }

    func json(_ r: CommandResult) throws -> Any { try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) }

    /// Zibo as a new user starts it: the eight districts (WGS84 file, no streets or communities below them) and
    /// one station at the Zhangdian reference point of gcj02.json (its WGS84 value).
    static let zibo: String = {
        let dir = try! CLI.temporaryDirectory("zibo")
        let db = dir + "/zibo.sqlite"
        _ = try! CLI.run(["init", db])
        _ = try! CLI.run(["import", db, "--layer", "admin", "GeoData/zibo/districts.geojson"])
        let zhangdian = try! vector("gcj02.json", "Zibo Zhangdian")
        let (x, y) = try! pair(zhangdian["wgs84"])
        try! "id,name,lon,lat\nzd-1,张店站,\(x),\(y)\nzd-2,far,\(x + 0.05),\(y + 0.05)\n".write(toFile: dir + "/stations.csv", atomically: true, encoding: .utf8)
        _ = try! CLI.run(["import", db, "--layer", "stations", dir + "/stations.csv"])
        return db
    }()

    @Test func spotsInGCJ02AndBD09FindTheSameStation() throws {
        let v = try Self.vector("gcj02.json", "Zibo Zhangdian")
        let (gx, gy) = try Self.pair(v["gcj02"]), (bx, by) = try Self.pair(v["bd09"]), (wx, wy) = try Self.pair(v["wgs84"])
        for (crs, x, y) in [("GCJ02", gx, gy), ("BD09", bx, by), ("EPSG:4326", wx, wy)] {
            let r = try CLI.run(["stations", "nearest", Self.zibo, "--lon", String(x), "--lat", String(y), "--crs", crs, "--format", "json"])
            #expect(r.status == 0, "\(crs): \(r.stderr)")
            let hits = try json(r) as! [[String: Any]]
            #expect(hits.first?["id"] as? String == "zd-1" && (hits.first?["distance_m"] as? Double ?? 99) <= 0.1, "\(crs): \(r.stdout)")
        }
        // WGS84 given as if it were GCJ-02 is ~560 m off: the offset is really applied
        let raw = try json(try CLI.run(["stations", "nearest", Self.zibo, "--lon", String(gx), "--lat", String(gy), "--format", "json"])) as! [[String: Any]]
        #expect((raw.first?["distance_m"] as? Double ?? 0) > 400)
        // answers in GCJ-02: the station's WGS84 point as the reference GCJ-02 value
        let out = try CLI.run(["stations", "nearest", Self.zibo, "--lon", String(wx), "--lat", String(wy), "--out-crs", "GCJ02", "--format", "json"])
        let s = (try json(out) as! [[String: Any]])[0]
        #expect(abs((s["lon"] as! Double) - gx) < 1e-9 && abs((s["lat"] as! Double) - gy) < 1e-9, "\(out.stdout)")
        // GeoJSON in GCJ-02 too
        let geo = try CLI.run(["stations", "nearest", Self.zibo, "--lon", String(wx), "--lat", String(wy), "--out-crs", "GCJ02", "--format", "geojson"])
        let coords = (((try json(geo) as! [String: Any])["features"] as! [[String: Any]])[0]["geometry"] as! [String: Any])["coordinates"] as! [Double]
        #expect(abs(coords[0] - gx) < 1e-7 && abs(coords[1] - gy) < 1e-7)
        // a CRS PROJ does not know: exit 2 naming --crs
        let bad = try CLI.run(["stations", "nearest", Self.zibo, "--lon", "1", "--lat", "2", "--crs", "EPSG:999999"])
        #expect(bad.status == 2 && bad.stderr.contains("--crs"), "\(bad.stderr)")
    }

    /// A spot outside every community but inside a district (all the Zibo demo has): the district answers.
    @Test func lookupAnswersTheDeepestAdminLevel() throws {
        let v = try Self.vector("gcj02.json", "Zibo Zhangdian")
        let (gx, gy) = try Self.pair(v["gcj02"]), (wx, wy) = try Self.pair(v["wgs84"])
        for args in [["--lon", String(wx), "--lat", String(wy)], ["--lon", String(gx), "--lat", String(gy), "--crs", "GCJ02"]] {
            let r = try CLI.run(["lookup", Self.zibo, "--format", "json"] + args)
            let o = try json(r) as! [String: Any]
            #expect(r.status == 1 && o["grid_code"] is NSNull, "\(r.stdout)\(r.stderr)")  // still no grid: exit 1
            #expect(o["district_code"] as? String == "370303" && o["street_code"] is NSNull && o["community_code"] is NSNull, "\(r.stdout)")
            #expect(abs((o["lon"] as! Double) - wx) < 1e-9 && abs((o["lat"] as! Double) - wy) < 1e-9)
        }
    }

    /// `grid build --area` of a district with no community polygons: the cells tile the district, coded with zeros for
    /// the missing street and community; lookup answers with them; the audit finds no coding or tiling problem.
    @Test func gridBuildOverADistrictWithoutCommunities() throws {
        let dir = try CLI.temporaryDirectory("zibo-grid")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/z.sqlite"
        _ = try CLI.run(["init", db])
        _ = try CLI.run(["import", db, "--layer", "admin", "GeoData/zibo/districts.geojson"])
        let r = try CLI.run(["grid", "build", db, "--shape", "square", "--cell-size", "1000", "--area", "370303", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r) as! [String: Any]
        let communities = o["communities"] as! [[String: Any]]
        #expect(communities.map { $0["code"] as! String } == ["370303000000"])
        // the cells tile the district: 359.276 km² (the file's geodesic area) within 0.5 %
        let cellsArea = communities[0]["cells_area_m2"] as! Double
        #expect(abs(cellsArea / 359.276e6 - 1) < 0.005, "\(cellsArea)")
        let v = try Self.vector("gcj02.json", "Zibo Zhangdian")
        let (wx, wy) = try Self.pair(v["wgs84"])
        let l = try json(try CLI.run(["lookup", db, "--lon", String(wx), "--lat", String(wy), "--format", "json"])) as! [String: Any]
        #expect((l["grid_code"] as? String)?.hasPrefix("370303000000") == true && l["district_code"] as? String == "370303", "\(l)")
        #expect(l["community_code"] is NSNull && l["street_code"] is NSNull)
        let audit = try json(try CLI.run(["grid", "audit", db, "--format", "json"])) as! [String: Any]
        let counts = audit["counts"] as! [String: Int]
        for kind in counts.keys where kind != "noChief" { #expect(counts[kind] == 0, "\(kind): \(audit)") }
        // a code with nothing under it: exit 2 naming area
        let none = try CLI.run(["grid", "build", db, "--shape", "square", "--area", "110101"])
        #expect(none.status == 2 && none.stderr.contains("area"), "\(none.stderr)")
    }

    /// `grid build --boundary FILE --crs GCJ02`: the AMap (GCJ-02) boundary of Zhangdian gives the cells of the same
    /// boundary in WGS84 (the cnmaps WGS84 file), within the converters' difference.
    @Test func gridBoundaryInGCJ02() throws {
        let dir = try CLI.temporaryDirectory("zibo-boundary")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func district(_ file: String) throws -> String {
            let all = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.repositoryRoot.appendingPathComponent(file))) as? [String: Any])
            let one = (all["features"] as! [[String: Any]]).filter { ($0["properties"] as! [String: Any])["adcode"] as? String == "370303" }
            let path = dir + "/" + URL(fileURLWithPath: file).lastPathComponent
            try JSONSerialization.data(withJSONObject: ["type": "FeatureCollection", "features": one]).write(to: URL(fileURLWithPath: path))
            return path
        }
        var areas: [Double] = []
        for (file, crs) in [("GeoData/zibo/districts_gcj02.geojson", ["--crs", "GCJ02"]), ("GeoData/zibo/districts.geojson", [])] {
            let db = dir + "/\(areas.count).sqlite"
            _ = try CLI.run(["init", db])
            let r = try CLI.run(["grid", "build", db, "--shape", "square", "--cell-size", "1000", "--boundary", try district(file),
                                 "--code-prefix", "370303000000", "--format", "json"] + crs)
            #expect(r.status == 0, "\(r.stderr)")
            areas.append(((try json(r) as! [String: Any])["communities"] as! [[String: Any]])[0]["cells_area_m2"] as! Double)
        }
        #expect(abs(areas[0] / areas[1] - 1) < 1e-3, "\(areas)")
        let misplaced = try CLI.run(["grid", "build", dir + "/0.sqlite", "--shape", "square", "--crs", "GCJ02"])
        #expect(misplaced.status == 2 && misplaced.stderr.contains("--crs goes with --boundary"))
    }

    /// The Helsinki demo in ETRS-TM35FIN (EPSG:3067, pyproj's values): the same answers as in WGS84; answers in it.
    @Test func helsinkiInEPSG3067() throws {
        let demo = QueryCommandTests.demo
        let p = try Self.vector("proj.json", "Helsinki Central Station")
        let (e, n) = try Self.pair(p["epsg3067"])
        let (lon, lat) = (p["lon"] as! Double, p["lat"] as! Double)
        func same(_ args: [String], metric: [String]) throws -> (Any, Any) {
            let a = try CLI.run(args + ["--format", "json"]), b = try CLI.run(metric + ["--crs", "EPSG:3067", "--format", "json"])
            #expect(a.status == b.status, "\(args): \(a.stderr) | \(b.stderr)")
            return (try json(a), try json(b))
        }
        let (l1, l2) = try same(["lookup", demo, "--lon", String(lon), "--lat", String(lat)], metric: ["lookup", demo, "--lon", String(e), "--lat", String(n)])
        let (a, b) = (l1 as! [String: Any], l2 as! [String: Any])
        #expect(a["grid_code"] as? String != nil && a["grid_code"] as? String == b["grid_code"] as? String && a["segment_id"] as? String == b["segment_id"] as? String)
        let (h1, h2) = try same(["hazards", demo, "--near", "\(lon),\(lat)", "--radius", "300"], metric: ["hazards", demo, "--near", "\(e),\(n)", "--radius", "300"])
        #expect((h1 as! [[String: Any]]).map { $0["id"] as! String } == (h2 as! [[String: Any]]).map { $0["id"] as! String })
        let (s1, s2) = try same(["service-area", demo, "--lon", String(lon), "--lat", String(lat), "--radius", "300"],
                                metric: ["service-area", demo, "--lon", String(e), "--lat", String(n), "--radius", "300"])
        #expect((s1 as! [String: Any])["snap_segment_id"] as? String == (s2 as! [String: Any])["snap_segment_id"] as? String)
        let (v1, v2) = try same(["vendor", "check", demo, "--lon", String(lon), "--lat", String(lat), "--at", "2026-11-20T12:00"],
                                metric: ["vendor", "check", demo, "--lon", String(e), "--lat", String(n), "--at", "2026-11-20T12:00"])
        #expect((v1 as! [String: Any])["reason_code"] as? String == (v2 as! [String: Any])["reason_code"] as? String)
        // the spot's coordinates in the answer, in EPSG:3067 as x/y (metres)
        let out = try CLI.run(["lookup", demo, "--lon", String(lon), "--lat", String(lat), "--out-crs", "EPSG:3067", "--format", "json"])
        let o = try json(out) as! [String: Any]
        #expect(abs((o["x"] as! Double) - e) < 0.001 && abs((o["y"] as! Double) - n) < 0.001 && o["lon"] == nil, "\(out.stdout)")
        // metres without --crs are not lon/lat: exit 2 naming the field
        let bad = try CLI.run(["stations", "nearest", demo, "--lon", String(e), "--lat", String(n)])
        #expect(bad.status == 2 && bad.stderr.contains("lon/lat"), "\(bad.stderr)")
    }

    /// Swapped lon/lat and a lat,lon bbox are answered, with a warning that says so (stderr, and `warnings` in JSON).
    @Test func spotsFarOutsideTheCityWarn() throws {
        let demo = QueryCommandTests.demo
        let r = try CLI.run(["lookup", demo, "--lon", "60.1699", "--lat", "24.9384", "--format", "json"])
        let o = try json(r) as! [String: Any]
        #expect(r.stderr.contains("swapped"), "\(r.stderr)")
        #expect(((o["warnings"] as? [String])?.first ?? "").contains("swapped"), "\(r.stdout)")
        let ok = try CLI.run(["lookup", demo, "--lon", "24.9384", "--lat", "60.1699", "--format", "json"])
        let okObject = try json(ok) as! [String: Any]
        #expect(!ok.stderr.contains("warning") && okObject["warnings"] == nil)
        let v = try CLI.run(["vendor", "check", demo, "--lon", "60.1699", "--lat", "24.9384", "--at", "2026-11-20T12:00", "--format", "json"])
        #expect(((try json(v) as! [String: Any])["warnings"] as? [String])?.isEmpty == false)
        let st = try CLI.run(["stations", "nearest", demo, "--lon", "60.1699", "--lat", "24.9384"])
        #expect(st.stderr.contains("swapped"))
        let dir = try CLI.temporaryDirectory("bbox")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let e = try CLI.run(["--layer", "stations", "--format", "geojson", "--out", dir + "/s.geojson", "--bbox", "60.16,24.93,60.18,24.96", demo],
                            executable: "urbangrid-export")
        #expect(e.status == 0 && e.stderr.contains("swapped"), "\(e.stderr)")
    }

    /// Vendor zones' status (active, suspended, closed) and stall count: a suspended zone is not permitted at any
    /// hour, `vendor open` shows it closed with its status; an unknown status is refused at import.
    @Test func vendorZoneStatus() throws {
        let dir = try CLI.temporaryDirectory("zones")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var zones = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.repositoryRoot.appendingPathComponent("GeoData/helsinki/vendor_zones.geojson"))) as? [String: Any])
        var features = zones["features"] as! [[String: Any]]
        for i in features.indices where features[i]["id"] as? String == "demo-2" {
            var p = features[i]["properties"] as! [String: Any]
            p["status"] = "suspended"
            features[i]["properties"] = p
        }
        zones["features"] = features
        try JSONSerialization.data(withJSONObject: zones).write(to: URL(fileURLWithPath: dir + "/zones.geojson"))
        let db = dir + "/v.sqlite"
        _ = try CLI.run(["init", db])
        let imported = try CLI.run(["import", db, "--layer", "vendor-zones", dir + "/zones.geojson"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let spot = try UrbanDatabase(path: db, readOnly: true).store.query("SELECT ST_X(ST_PointOnSurface(geom)) x, ST_Y(ST_PointOnSurface(geom)) y FROM vendor_zones WHERE id = 'demo-2'")[0]
        // demo-2 is open Mo-Su 06:00-09:00, but suspended
        let r = try CLI.run(["vendor", "check", db, "--lon", String(spot["x"]!.double!), "--lat", String(spot["y"]!.double!), "--at", "2026-11-20T07:30", "--format", "json"])
        let o = try json(r) as! [String: Any]
        #expect(r.status == 1 && o["permitted"] as? Bool == false && o["reason_code"] as? String == "zone_suspended", "\(r.stdout)")
        #expect(o["zone_status"] as? String == "suspended" && o["stalls"] as? Int == 15)
        let open = try CLI.run(["vendor", "open", db, "--at", "2026-11-20T07:30", "--all", "--format", "json"])
        let list = (try json(open) as! [String: Any])["zones"] as! [[String: Any]]
        let d2 = try #require(list.first { $0["zone_id"] as? String == "demo-2" })
        #expect(d2["open"] as? Bool == false && d2["status"] as? String == "suspended" && d2["stalls"] as? Int == 15)
        #expect(list.first { $0["zone_id"] as? String == "demo-1" }?["status"] as? String == "active")
        // --at now is a time
        let now = try CLI.run(["vendor", "open", db, "--at", "now", "--format", "json"])
        #expect(now.status != 2, "\(now.stderr)")
        // an unknown status: refused, naming the field
        let text = try String(contentsOfFile: dir + "/zones.geojson", encoding: .utf8).replacingOccurrences(of: "\"suspended\"", with: "\"paused\"")
        try text.write(toFile: dir + "/bad.geojson", atomically: true, encoding: .utf8)
        let db2 = dir + "/w.sqlite"
        _ = try CLI.run(["init", db2])
        let bad = try CLI.run(["import", db2, "--layer", "vendor-zones", dir + "/bad.geojson"])
        #expect(bad.status == 2 && bad.stderr.contains("status") && bad.stderr.contains("paused"), "\(bad.stderr)")
    }

    /// `coverage --facilities-where`, the per-street totals in its table; `site --candidates-where`, the chosen sites
    /// with names and coordinates, and as GeoJSON.
    @Test func coverageAndSiteRestrictedByConditions() throws {
        let demo = QueryCommandTests.demo
        let ids = try UrbanDatabase(path: demo, readOnly: true).store.query("SELECT id FROM stations ORDER BY id").compactMap { $0["id"]?.string }
        let first = try #require(ids.first)
        let c = try CLI.run(["coverage", demo, "--facilities", "stations", "--facilities-where", "id = '\(first)'", "--demand", "grids",
                             "--radius", "500", "--format", "json"])
        #expect(c.status == 0, "\(c.stderr)")
        let units = (try json(c) as! [String: Any])["units"] as! [[String: Any]]
        #expect(!units.isEmpty && units.allSatisfy { $0["facility_id"] as? String == first })
        let badWhere = try CLI.run(["coverage", demo, "--facilities", "stations", "--facilities-where", "no_such_column = 1", "--demand", "grids", "--radius", "500"])
        #expect(badWhere.status == 2 && badWhere.stderr.contains("--facilities-where"), "\(badWhere.stderr)")
        let table = try CLI.run(["coverage", demo, "--facilities", "stations", "--demand", "grids", "--radius", "500"])
        let byStreet = (try json(try CLI.run(["coverage", demo, "--facilities", "stations", "--demand", "grids", "--radius", "500", "--format", "json"])) as! [String: Any])["by_street"] as! [[String: Any]]
        #expect(table.stdout.contains("\nstreet ") && byStreet.allSatisfy { table.stdout.contains(($0["code"] as! String)) }, "\(table.stdout)")
        // site: only POIs of one kind may be chosen
        let kinds = try UrbanDatabase(path: demo, readOnly: true).store.query("SELECT kind, count(*) n FROM pois GROUP BY kind ORDER BY n DESC")
        let kind = try #require(kinds.first?["kind"]?.string)
        let allowed = Set(try UrbanDatabase(path: demo, readOnly: true).store.query("SELECT id FROM pois WHERE kind = ?", kind).compactMap { $0["id"]?.string })
        let s = try CLI.run(["site", demo, "--model", "mclp", "--p", "2", "--radius", "500", "--demand", "grids", "--candidates", "pois",
                             "--candidates-where", "kind = '\(kind)'", "--format", "json"])
        #expect(s.status == 0, "\(s.stderr)")
        let o = try json(s) as! [String: Any]
        let selected = o["selected"] as! [String]
        let sites = o["sites"] as! [[String: Any]]
        #expect(!selected.isEmpty && selected.allSatisfy(allowed.contains) && sites.map { $0["id"] as! String } == selected)
        #expect(sites.allSatisfy { ($0["lon"] as? Double) != nil && ($0["lat"] as? Double) != nil && $0.keys.contains("name") })
        let geo = try CLI.run(["site", demo, "--model", "mclp", "--p", "2", "--radius", "500", "--demand", "grids", "--candidates", "pois",
                               "--candidates-where", "kind = '\(kind)'", "--format", "geojson"])
        let fc = try json(geo) as! [String: Any]
        #expect(fc["type"] as? String == "FeatureCollection" && (fc["features"] as! [[String: Any]]).map { $0["id"] as! String } == selected)
    }
}
