import Foundation
import Testing
import UrbanModel
import UrbanStore

/// `urbangrid grid build` and `urbangrid grid audit` (../shared/reference/cli.md).
@Suite struct GridCommandTests {
    func tempDir() throws -> String { try CLI.temporaryDirectory("cli-grid") }

    /// A database with one community (about 300 m × 220 m near Zibo), imported through the CLI.
    func communityDatabase(_ dir: String) throws -> String {
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        try #"""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"370303001001","level":"community","name":"测试社区"},
            "geometry":{"type":"Polygon","coordinates":[[[118.05,36.80],[118.0533,36.80],[118.0533,36.802],[118.05,36.802],[118.05,36.80]]]}}]}
            """#.write(toFile: dir + "/community.geojson", atomically: true, encoding: .utf8)
        let r = try CLI.run(["import", db, "--layer", "admin", dir + "/community.geojson"])
        #expect(r.status == 0, "\(r.stderr)")
        return db
    }

    @Test func buildThenAuditUntilClean() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try communityDatabase(dir)
        let b = try CLI.run(["grid", "build", db, "--shape", "square", "--area", "370303", "--format", "json"])
        #expect(b.status == 0, "\(b.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as? [String: Any]
        #expect(json?["crs"] as? String == "EPSG:4548")  // 118.05°E lies in the zone of CM 117°E (115.5–118.5)
        let cells = try #require(json?["cells"] as? Int)
        #expect(cells >= 6)
        let table = try CLI.run(["grid", "build", db, "--shape", "hex"])
        #expect(table.status == 0 && table.stdout.contains("370303001001") && table.stdout.contains("Gauss-Krüger"))

        var a = try CLI.run(["grid", "audit", db, "--format", "json"])
        #expect(a.status == 1)
        #expect(a.stdout.contains(#""kind":"noChief""#) && !a.stdout.contains(#""kind":"gap""#))
        let database = try UrbanDatabase(path: db)
        let codes = try database.store.query("SELECT code FROM grids").compactMap { $0["code"]?.string }
        for (i, code) in codes.enumerated() {
            try database.store.run("INSERT INTO chiefs(id, name, grid_code) VALUES (?, ?, ?)", "c\(i)", "片长", code)
        }
        a = try CLI.run(["grid", "audit", db])
        #expect(a.status == 0, "\(a.stdout)")
        #expect(a.stdout.contains("no findings"))
    }

    @Test func blockGridsFollowTheStreets() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try communityDatabase(dir)
        // no streets: the ≈ 295 m × 222 m community (> 4 × 10 000 m²) is cut by the 100 m lattice
        var b = try CLI.run(["grid", "build", db, "--shape", "block", "--format", "json"])
        #expect(b.status == 0, "\(b.stderr)")
        var json = try JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as? [String: Any]
        #expect(json?["shape"] as? String == "block" && json?["min_area_m2"] as? Double == 2_000)
        #expect((json?["cells"] as? Int ?? 0) >= 4)
        // a street across the middle, north-south: two blocks of ≈ 32 700 m² (each ≤ 4 × 10 000)
        try #"""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"s1","class":"residential","name":"中街"},
            "geometry":{"type":"LineString","coordinates":[[118.05165,36.799],[118.05165,36.803]]}}]}
            """#.write(toFile: dir + "/streets.geojson", atomically: true, encoding: .utf8)
        let s = try CLI.run(["import", db, "--layer", "streets", dir + "/streets.geojson"])
        #expect(s.status == 0, "\(s.stderr)")
        b = try CLI.run(["grid", "build", db, "--shape", "block", "--target-area", "10000", "--format", "json"])
        #expect(b.status == 0, "\(b.stderr)")
        json = try JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as? [String: Any]
        #expect(json?["cells"] as? Int == 2)
        let table = try CLI.run(["grid", "build", db, "--shape", "block"])
        #expect(table.status == 0 && table.stdout.contains("block grid, target 10000 m² blocks"))
        let a = try CLI.run(["grid", "audit", db, "--format", "json"])
        #expect(a.stdout.contains(#""kind":"noChief""#) && !a.stdout.contains(#""kind":"gap""#) && !a.stdout.contains(#""kind":"overlap""#))
        #expect(try CLI.run(["grid", "build", db, "--shape", "block", "--target-area", "0"]).status == 2)
        #expect(try CLI.run(["grid", "build", db, "--shape", "square", "--target-area", "5000"]).status == 2)
    }

    @Test func badArgumentsExitTwo() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try communityDatabase(dir)
        #expect(try CLI.run(["grid", "build", db, "--shape", "square", "--area", "370399"]).status == 2)
        #expect(try CLI.run(["grid", "build", db, "--shape", "square", "--cell-size", "-5"]).status == 2)
        #expect(try CLI.run(["grid", "build", db, "--shape", "square", "--code-prefix", "370303001001"]).status == 2)
        let tooMany = try CLI.run(["grid", "build", db, "--shape", "square", "--cell-size", "5"])
        #expect(tooMany.status == 2 && tooMany.stderr.contains("370303001001") && tooMany.stderr.contains("--cell-size"))
    }
}
