import Foundation
import Testing

/// `urbangrid vendor site` on a hand-built city at 60.17°N (a degree of longitude ≈ 55.5 km, of latitude ≈ 111.4 km):
/// two admin streets (街道) side by side, 370303001 west and 370303002 east, each 0.002° wide; three west-east segments
/// of 0.0016° ≈ 88.8 m: `res-w` (residential, west street, lat0 + 0.0005), `main` (primary, east street, lat0 +
/// 0.0005) and `res-e` (residential, east street, lat0 + 0.0015). Spacing 20 m: 4 candidates per residential segment
/// at 0.0002° + k·0.0004° from its west end; the main road gets none; a school 0.0001° north of res-w's west end
/// (default buffer 100 m, here `--exclusion school=25`) removes res-w/1 (15.7 m away; res-w/2 is 35.1 m away): 7
/// candidates. An existing vendor zone lies in the east street.
///
/// Demand: d-west (weight 1) 0.0001° (11.1 m) north of res-w/3, d-east (weight 10) 0.0001° south of res-e/3; every
/// other candidate is ≥ 24.8 m from both. Radius 15 m, p = 1:
/// - `--require-per-street none`: res-e/3, covering 10;
/// - default (`uncovered`: the west street, which has no zone): res-w/3, covering 1;
/// - `all`: two streets need a site, p = 1: infeasible, exit 1.
@Suite struct VendorSiteCommandTests {
    static let lon0 = 24.940, lat0 = 60.170

    func city(_ dir: String) throws -> String {
        let db = dir + "/v.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        let (x, y) = (Self.lon0, Self.lat0)
        func ring(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> String {
            "[[[\(x0),\(y0)],[\(x1),\(y0)],[\(x1),\(y1)],[\(x0),\(y1)],[\(x0),\(y0)]]]"
        }
        func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> String { "[[\(x0),\(y0)],[\(x1),\(y1)]]" }
        func feature(_ id: String, _ type: String, _ coordinates: String, _ properties: String) -> String {
            #"{"type":"Feature","id":"\#(id)","properties":\#(properties),"geometry":{"type":"\#(type)","coordinates":\#(coordinates)}}"#
        }
        func collection(_ features: [String]) -> String { #"{"type":"FeatureCollection","features":["# + features.joined(separator: ",") + "]}" }
        let files: [(String, String)] = [
            ("admin", collection([
                feature("370303001", "Polygon", ring(x, y, x + 0.002, y + 0.002), #"{"code":"370303001","level":"street","name":"西街道"}"#),
                feature("370303002", "Polygon", ring(x + 0.002, y, x + 0.004, y + 0.002), #"{"code":"370303002","level":"street","name":"东街道"}"#),
            ])),
            ("streets", collection([
                feature("res-w", "LineString", line(x + 0.0002, y + 0.0005, x + 0.0018, y + 0.0005), #"{"highway":"residential"}"#),
                feature("main", "LineString", line(x + 0.0022, y + 0.0005, x + 0.0038, y + 0.0005), #"{"highway":"primary"}"#),
                feature("res-e", "LineString", line(x + 0.0022, y + 0.0015, x + 0.0038, y + 0.0015), #"{"highway":"residential"}"#),
            ])),
            ("pois", collection([feature("school-1", "Point", "[\(x + 0.0002),\(y + 0.0006)]", #"{"kind":"school","name":"小学"}"#)])),
            ("vendor-zones", collection([
                feature("z1", "Polygon", ring(x + 0.0031, y + 0.0017, x + 0.0033, y + 0.0019), #"{"name":"夜市","hours":"Mo-Su 18:00-22:00"}"#),
            ])),
            ("demand", collection([
                feature("d-west", "Point", "[\(x + 0.0012),\(y + 0.0006)]", #"{"weight":1}"#),
                feature("d-east", "Point", "[\(x + 0.0032),\(y + 0.0014)]", #"{"weight":10}"#),
            ])),
        ]
        for (layer, text) in files {
            try text.write(toFile: "\(dir)/\(layer).geojson", atomically: true, encoding: .utf8)
            let r = try CLI.run(["import", db, "--layer", layer, "\(dir)/\(layer).geojson"])
            #expect(r.status == 0, "\(layer): \(r.stderr)")
        }
        return db
    }

    func site(_ db: String, _ extra: [String], radius: String = "15") throws -> (CommandResult, [String: Any]?) {
        let r = try CLI.run(["vendor", "site", db, "--demand", "demand", "--p", "1", "--radius", radius, "--spacing", "20",
                             "--exclusion", "school=25"] + extra)
        return (r, try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func oneSitePerStreetWithoutAZone() throws {
        let dir = try CLI.temporaryDirectory("vendor-site")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try city(dir)

        let (free, f) = try site(db, ["--network", "none", "--require-per-street", "none", "--format", "json"])
        #expect(free.status == 0, "\(free.stderr)")
        #expect(f?["selected"] as? [String] == ["res-e/3"] && f?["objective"] as? Double == 10, "\(free.stdout)")
        #expect(f?["streets_required"] as? [String] == [])

        let (required, o) = try site(db, ["--network", "none", "--format", "json"])
        #expect(required.status == 0, "\(required.stderr)")
        let json = try #require(o, "\(required.stdout)")
        #expect(json["status"] as? String == "optimal" && json["model"] as? String == "mclp")
        #expect(json["candidate_count"] as? Int == 7 && json["main_road_segments"] as? Int == 1)
        #expect((json["excluded"] as? [[String: Any]])?.map { $0["id"] as? String } == ["res-w/1"])
        #expect(json["streets_with_zones"] as? [String] == ["370303002"])
        #expect(json["streets_required"] as? [String] == ["370303001"])
        #expect(json["selected"] as? [String] == ["res-w/3"] && json["covered_weight"] as? Double == 1 && json["total_weight"] as? Double == 11)
        let sites = try #require(json["sites"] as? [[String: Any]])
        #expect(sites.count == 1)
        #expect(sites.first?["segment_id"] as? String == "res-w" && sites.first?["street"] as? String == "370303001")
        #expect(sites.first?["covered_weight"] as? Double == 1)
        // res-w/3: the middle of the third quarter of res-w, 0.0010° east of its west end
        let lon = try #require(sites.first?["lon"] as? Double), lat = try #require(sites.first?["lat"] as? Double)
        #expect(abs(lon - (Self.lon0 + 0.0012)) < 2e-7 && abs(lat - (Self.lat0 + 0.0005)) < 1e-7, "\(lon) \(lat)")

        // the walking network (the three segments do not meet: snap to the nearest) gives the same site: d-west is
        // 11.1 m from res-w by its connector
        let (walk, w) = try site(db, ["--snap", "nearest", "--format", "json", "--fast"])
        #expect(walk.status == 0, "\(walk.stderr)")
        #expect(w?["network"] as? String == "walk" && w?["selected"] as? [String] == ["res-w/3"] && w?["engine"] as? String == "fast")

        let (all, a) = try site(db, ["--network", "none", "--require-per-street", "all", "--format", "json"])
        #expect(all.status == 1)
        #expect(a?["status"] as? String == "infeasible")
        #expect(a?["reason"] as? String == "p = 1 leaves 1 site(s) to open, fewer than the 2 the groups require: street 370303001, street 370303002")
        #expect(a?["streets_required"] as? [String] == ["370303001", "370303002"])

        let (geo, _) = try site(db, ["--network", "none", "--format", "geojson"])
        #expect(geo.status == 0)
        let g = try #require(try JSONSerialization.jsonObject(with: Data(geo.stdout.utf8)) as? [String: Any])
        let features = try #require(g["features"] as? [[String: Any]])
        #expect(g["type"] as? String == "FeatureCollection" && features.count == 1)
        #expect(features.first?["id"] as? String == "res-w/3")
        #expect((features.first?["geometry"] as? [String: Any])?["type"] as? String == "Point")
        #expect((features.first?["properties"] as? [String: Any])?["street"] as? String == "370303001")
        let point = try #require((features.first?["geometry"] as? [String: Any])?["coordinates"] as? [Double])
        #expect(point.count == 2 && abs(point[0] - (Self.lon0 + 0.0012)) < 2e-7 && abs(point[1] - (Self.lat0 + 0.0005)) < 1e-7, "\(point)")

        // radius 50 m: d-east is 11.1–45.8 m from every res-e candidate, d-west 11.1–24.8 m from res-w/2…4; no site
        // reaches both (111 m apart). The existing zone's inner point (lon0 + 0.0032, lat0 + 0.0018) is 44.6 m from
        // d-east: counted, it keeps d-east, and the one new site goes west.
        let (east, e) = try site(db, ["--network", "none", "--require-per-street", "none", "--format", "json"], radius: "50")
        #expect(east.status == 0 && e?["objective"] as? Double == 10, "\(east.stdout)")
        #expect((e?["sites"] as? [[String: Any]])?.first?["street"] as? String == "370303002")
        let (counted, c) = try site(db, ["--network", "none", "--require-per-street", "none", "--count-existing-zones", "--format", "json"], radius: "50")
        #expect(counted.status == 0, "\(counted.stderr)")
        #expect(c?["objective"] as? Double == 11 && c?["covered_weight"] as? Double == 11 && c?["fixed"] as? [String] == ["z1"], "\(counted.stdout)")
        #expect(c?["p"] as? Int == 1 && (c?["selected"] as? [String])?.count == 1)
        let west = try #require((c?["sites"] as? [[String: Any]])?.first)
        #expect(west["street"] as? String == "370303001" && west["covered_weight"] as? Double == 1)

        let table = try CLI.run(["vendor", "site", db, "--demand", "demand", "--p", "1", "--radius", "15", "--spacing", "20", "--network", "none",
                                 "--exclusion", "school=25"])
        #expect(table.status == 0 && table.stdout.contains("streets required (1)") && table.stdout.contains("res-w/3"), "\(table.stdout)")
        let bad = try CLI.run(["vendor", "site", db, "--demand", "demand", "--p", "1", "--radius", "15", "--spacing", "0"])
        #expect(bad.status == 2)
    }
}
