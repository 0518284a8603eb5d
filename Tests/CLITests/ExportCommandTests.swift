import Foundation
import Testing

/// `urbangrid-export` as ../shared/reference/cli.md specifies it, checked against hand-written golden files
/// (Golden/README.md) and the pyproj / GCJ-02 reference vectors.
@Suite struct ExportCommandTests {
    static let golden = CLI.repositoryRoot.appendingPathComponent("Tests/CLITests/Golden").path

    /// A database holding the two golden vendor zones and the reference-vector stations.
    func fixture(_ dir: String) throws -> String {
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        let z = try CLI.run(["import", db, "--layer", "vendor-zones", Self.golden + "/vendor-zones-input.geojson"])
        #expect(z.status == 0, "\(z.stderr)")
        // Tiananmen and Shanghai, as in Tests/SpatialCoreTests/Vectors (gcj02.json, proj.json)
        try "id,name,capacity,lon,lat\nbj,天安门,4,116.3975,39.9087\nsh,外滩,2,121.4903,31.2402\n"
            .write(toFile: dir + "/stations.csv", atomically: true, encoding: .utf8)
        let s = try CLI.run(["import", db, "--layer", "stations", dir + "/stations.csv"])
        #expect(s.status == 0, "\(s.stderr)")
        return db
    }

    func export(_ args: [String]) throws -> CommandResult { try CLI.run(args, executable: "urbangrid-export") }

    /// JSON text re-serialised with sorted keys, for comparing documents whatever their member order or spacing.
    func normalized(_ path: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    @Test func geoJSONMatchesTheGoldenFile() throws {
        let dir = try CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        let r = try export([db, "--layer", "vendor-zones", "--format", "geojson", "--out", dir + "/vz.geojson"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try normalized(dir + "/vz.geojson") == normalized(Self.golden + "/vendor-zones.geojson"))
        let text = try String(contentsOfFile: dir + "/vz.geojson", encoding: .utf8)
        #expect(!text.contains("\"crs\""))
        #expect(r.stdout.contains("vendor-zones") && r.stdout.contains("2"), "\(r.stdout)")
    }

    @Test func csvMatchesTheGoldenFileByteForByte() throws {
        let dir = try CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        let r = try export([db, "--layer", "vendor-zones", "--format", "csv", "--out", dir + "/vz.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/vz.csv")) == Data(contentsOf: URL(fileURLWithPath: Self.golden + "/vendor-zones.csv")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/vz.csvt")) == Data(contentsOf: URL(fileURLWithPath: Self.golden + "/vendor-zones.csvt")))
    }

    @Test func geoJSONSeqIsRFC8142() throws {
        let dir = try CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        let r = try export([db, "--layer", "vendor-zones", "--format", "geojsonseq", "--out", dir + "/vz.geojsons"])
        #expect(r.status == 0, "\(r.stderr)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/vz.geojsons")))
        let records = bytes.split(separator: 0x1E)
        #expect(records.count == 2 && bytes.first == 0x1E)
        let golden = try json(Self.golden + "/vendor-zones.geojson")["features"] as! [Any]
        for (record, expected) in zip(records, golden) {
            #expect(record.last == 0x0A)
            let got = try JSONSerialization.jsonObject(with: Data(record))
            let a = try JSONSerialization.data(withJSONObject: got, options: .sortedKeys)
            let b = try JSONSerialization.data(withJSONObject: expected, options: .sortedKeys)
            #expect(a == b)
        }
    }

    /// GCJ-02 and BD-09 for AMap/Baidu, and the CGCS2000 Gauss-Krüger zone for survey work, against the vectors.
    @Test func crsOutputsMatchTheReferenceVectors() throws {
        let dir = try CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        let vectors = CLI.repositoryRoot.appendingPathComponent("Tests/SpatialCoreTests/Vectors").path
        let gcj = try json(vectors + "/gcj02.json")["points"] as! [[String: Any]]
        let proj = try json(vectors + "/proj.json")["points"] as! [[String: Any]]
        let tiananmen = gcj.first { $0["name"] as? String == "Beijing Tiananmen" }!
        let gk = (proj.first { $0["name"] as? String == "Beijing Tiananmen" }!["cgcs2000_gk3"] as! [String: Any])
        func coordinates(_ crs: String) throws -> [Double] {
            let out = dir + "/st-\(crs.replacingOccurrences(of: ":", with: "")).geojson"
            let r = try export([db, "--layer", "stations", "--where", "id = 'bj'", "--format", "geojson", "--out", out, "--crs", crs])
            #expect(r.status == 0, "\(r.stderr)")
            let f = (try json(out)["features"] as! [[String: Any]])
            #expect(f.count == 1)
            return (f[0]["geometry"] as! [String: Any])["coordinates"] as! [Double]
        }
        func rounded(_ v: Double, _ d: Double) -> Double { (v * pow(10, d)).rounded() / pow(10, d) }
        for (crs, key) in [("GCJ02", "gcj02"), ("BD09", "bd09")] {
            let expected = tiananmen[key] as! [Double]
            let got = try coordinates(crs)
            #expect(got == [rounded(expected[0], 7), rounded(expected[1], 7)], "\(crs): \(got) vs \(expected)")
        }
        let expected = gk["xy"] as! [Double]
        let got = try coordinates("EPSG:\(gk["epsg"] as! Int)")  // metres: 3 decimals by default
        #expect(abs(got[0] - expected[0]) <= 0.0015 && abs(got[1] - expected[1]) <= 0.0015, "\(got) vs \(expected)")
    }

    @Test func filtersByWhereAndBBox() throws {
        let dir = try CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        // z1 spans 116.391…116.40; z2 116.41…116.42: a box over 116.405…116.415 touches z2 only
        let b = try export([db, "--layer", "vendor-zones", "--format", "geojson", "--out", dir + "/b.geojson", "--bbox", "116.405,39.90,116.415,39.91"])
        #expect(b.status == 0, "\(b.stderr)")
        #expect((try json(dir + "/b.geojson")["features"] as! [[String: Any]]).map { $0["id"] as! String } == ["z2"])
        // a box inside z1's hole intersects z1's envelope but not z1 itself
        let h = try export([db, "--layer", "vendor-zones", "--format", "geojson", "--out", dir + "/h.geojson", "--bbox", "116.3945,39.9045,116.3955,39.9055"])
        #expect(h.status == 0, "\(h.stderr)")
        #expect((try json(dir + "/h.geojson")["features"] as! [Any]).isEmpty)
        let w = try export([db, "--layer", "vendor-zones", "--format", "geojson", "--out", dir + "/w.geojson", "--where", "capacity >= 10"])
        #expect((try json(dir + "/w.geojson")["features"] as! [[String: Any]]).map { $0["id"] as! String } == ["z1"], "\(w.stderr)")
    }

    @Test func geoPackageHoldsEveryLayer() throws {
        let dir = try CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        let r = try export([db, "--all", "--format", "gpkg", "--out", dir + "/city.gpkg", "--summary", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        #expect(rows.count == 9)
        #expect(rows.first { $0["layer"] as? String == "vendor-zones" }?["features"] as? Int == 2)
        #expect(rows.first { $0["layer"] as? String == "stations" }?["features"] as? Int == 2)
        let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: dir + "/city.gpkg")).read(upToCount: 72)!
        #expect(header.prefix(15) == Data("SQLite format 3".utf8))
        #expect(header[68..<72] == Data("GPKG".utf8))  // application_id
        #expect(CLI.files(in: dir) == ["city.gpkg", "city.sqlite", "stations.csv"])  // no temporary left
    }

    @Test func exportedFilesImportBack() throws {
        let dir = try CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        for format in ["geojson", "csv"] {
            let out = dir + "/stations.\(format)"
            #expect(try export([db, "--layer", "stations", "--format", format, "--out", out]).status == 0)
            let copy = dir + "/copy-\(format).sqlite"
            #expect(try CLI.run(["init", copy]).status == 0)
            let r = try CLI.run(["import", copy, "--layer", "stations", out, "--format", "json"])
            #expect(r.stdout == #"{"layer":"stations","imported":2}"# + "\n", "\(format): \(r.stderr)")
            let again = dir + "/again.\(format)"
            #expect(try export([copy, "--layer", "stations", "--format", format, "--out", again]).status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(contentsOf: URL(fileURLWithPath: again)), "\(format)")
        }
    }

    @Test func badRequestsExitTwoAndWriteNothing() throws {
        let dir = try CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        let before = CLI.files(in: dir)
        let cases: [([String], String)] = [
            ([db, "--layer", "parks", "--format", "geojson", "--out", dir + "/x.geojson"], "unknown layer 'parks'"),
            ([db, "--layer", "stations", "--format", "geojson", "--out", dir + "/no/such/dir/x.geojson"], "does not exist"),
            ([db, "--layer", "stations", "--format", "geojson", "--out", "/proc/urbangrid-x.geojson"], "cannot write /proc/urbangrid-x.geojson"),
            ([db, "--layer", "stations", "--format", "gpkg", "--out", "/proc/urbangrid-x.gpkg"], "cannot write /proc/urbangrid-x.gpkg"),
            ([db, "--layer", "stations", "--format", "geojson", "--out", dir + "/x.geojson", "--crs", "EPSG:999999"], "unknown CRS 'EPSG:999999"),
            ([db, "--layer", "stations", "--format", "geojson", "--out", dir + "/x.geojson", "--where", "nosuch = 1"], "invalid where: 'nosuch = 1' is not a valid condition on layer columns: no such column: nosuch"),
            ([db, "--layer", "stations", "--format", "geojson", "--out", dir + "/x.geojson", "--where", "1; DROP TABLE stations"], "invalid where"),
            ([db, "--layer", "stations", "--format", "geojson", "--out", dir + "/x.geojson", "--bbox", "1,2,3"], "W,S,E,N"),
            ([db, "--layer", "stations", "--format", "kml", "--out", dir + "/x.kml"], "format"),
            ([db, "--format", "geojson", "--out", dir + "/x.geojson"], "--layer NAME or --all"),
            ([dir + "/missing.sqlite", "--layer", "stations", "--format", "geojson", "--out", dir + "/x.geojson"], "does not exist"),
        ]
        for (args, message) in cases {
            let r = try export(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        #expect(CLI.files(in: dir) == before)
        #expect(try CLI.run(["import", db, "--layer", "stations", dir + "/stations.csv"]).status == 2)  // still there: ids taken
    }

    /// A transform that fails on the second feature (the far side of an orthographic projection) stops the
    /// export: no file under the final name, no temporary left, an older file under that name untouched.
    @Test func failedExportLeavesNoPartialFile() throws {
        let dir = try CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        try "old".write(toFile: dir + "/st.geojson", atomically: true, encoding: .utf8)
        let before = CLI.files(in: dir)
        // seen from above (0°E, 35°N) Beijing is just inside the horizon (cos c = 0.089) and Shanghai just beyond it
        // (cos c = -0.068): the first station is written, the second fails
        let crs = "+proj=ortho +lat_0=35 +lon_0=0 +type=crs"
        for format in ["geojson", "geojsonseq", "csv", "gpkg"] {
            let r = try export([db, "--layer", "stations", "--format", format, "--out", dir + "/st.geojson", "--crs", crs])
            #expect(r.status == 2, "\(format): \(r.stderr)")
            #expect(r.stderr.contains("cannot transform"), "\(format): \(r.stderr)")
            #expect(CLI.files(in: dir) == before, "\(format)")
            #expect(try String(contentsOfFile: dir + "/st.geojson", encoding: .utf8) == "old")
        }
        let all = try export([db, "--all", "--format", "geojson", "--out", dir + "/all", "--crs", crs])
        #expect(all.status == 2)
        #expect(CLI.files(in: dir + "/all").isEmpty, "\(CLI.files(in: dir + "/all"))")
    }
}
