import Foundation
import Testing
import UrbanModel
import UrbanStore

/// `urbangrid-export batch PLAN`: one folder with the layers, audits.json, summary.json and report.html.
@Suite struct BatchCommandTests {
    /// The Helsinki demo communities and stations with a 100 m square grid.
    func fixture(_ dir: String) throws -> String {
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        for (layer, file) in [("admin", "admin"), ("stations", "stations")] {
            let r = try CLI.run(["import", db, "--layer", layer, "GeoData/helsinki/\(file).geojson"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let g = try CLI.run(["grid", "build", db, "--shape", "square", "--cell-size", "100"])
        #expect(g.status == 0, "\(g.stderr)")
        return db
    }

    func plan(_ dir: String, radius: Double, secondWhere: String = "1 = 1") throws -> String {
        let text = """
            {"title": "测试 <nightly>", "database": "city.sqlite", "output": "nightly",
             "exports": [{"layer": "grids", "format": "geojson"},
                         {"layer": "stations", "format": "csv", "where": "\(secondWhere)"},
                         {"layer": "all", "format": "gpkg", "name": "city"}],
             "audits": [{"kind": "station-coverage", "radius_m": \(radius)}]}
            """
        try text.write(toFile: dir + "/plan.json", atomically: true, encoding: .utf8)
        return dir + "/plan.json"
    }

    func batch(_ args: [String]) throws -> CommandResult { try CLI.run(["batch"] + args, executable: "urbangrid-export") }

    @Test func passingPlanWritesTheWholeFolder() throws {
        let dir = try CLI.temporaryDirectory("batch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        // the demo area is about 1 km × 2 km: every cell lies within 10 km of a station
        let r = try batch([try plan(dir, radius: 10_000), "--summary", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(CLI.files(in: dir + "/nightly") == ["audits.json", "city.gpkg", "grids.geojson", "report.html", "stations.csv", "stations.csvt", "summary.json"])
        let database = try UrbanDatabase(path: db, readOnly: true)
        let cells = try database.count(.grids)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/nightly/summary.json"))) as! [String: Any]
        #expect(summary["passed"] as? Bool == true)
        let exports = summary["exports"] as! [[String: Any]]
        let stations = try database.count(.stations), admin = try database.count(.admin)
        #expect(exports.map { $0["features"] as! Int } == [cells, stations, cells + stations + admin])
        let audit = (summary["audits"] as! [[String: Any]])[0]
        #expect(audit["covered"] as? Int == cells && audit["total"] as? Int == cells)
        #expect(r.stdout.contains("\"passed\":true"))
        let html = try String(contentsOfFile: dir + "/nightly/report.html", encoding: .utf8)
        #expect(html.contains("测试 &lt;nightly&gt;"))  // escaped
        if let leaflet = try? String(contentsOfFile: "/usr/share/javascript/leaflet/leaflet.js", encoding: .utf8) {
            #expect(html.contains(leaflet) && html.contains("L.map('map'"))  // Leaflet inlined, whole
            #expect(!html.contains("url(images/"))  // its images as data: URIs
            // nothing fetched (outside Leaflet's own source, whose comments mention URLs and tags harmlessly)
            let page = html.replacingOccurrences(of: leaflet, with: "")
            #expect(!page.contains("<script src") && !page.contains("<link") && !page.contains("<img") && !page.contains("url(http"))
        } else {
            #expect(html.contains("No map: Leaflet was not found"))
        }
    }

    @Test func failingAuditExitsOneAndListsTheUncoveredGrids() throws {
        let dir = try CLI.temporaryDirectory("batch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try fixture(dir)
        // a 1 m radius reaches no 100 m cell centroid unless a station stands within 1 m of it
        let r = try batch([try plan(dir, radius: 1)])
        #expect(r.status == 1, "\(r.stderr)")
        let audits = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/nightly/audits.json"))) as! [[String: Any]]
        let uncovered = audits[0]["uncovered"] as! [[String: Any]]
        let cells = try UrbanDatabase(path: db, readOnly: true).count(.grids)
        #expect(uncovered.count + (audits[0]["covered"] as! Int) == cells && uncovered.count >= cells - 11)
        #expect(uncovered.allSatisfy { ($0["distance_m"] as! Double) > 1 })
        let html = try String(contentsOfFile: dir + "/nightly/report.html", encoding: .utf8)
        #expect(html.contains("Uncovered grids") && html.contains(uncovered[0]["grid_code"] as! String))
    }

    @Test func failedPlanLeavesNoFolderAndKeepsTheOldOne() throws {
        let dir = try CLI.temporaryDirectory("batch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try fixture(dir)
        let bad = try batch([try plan(dir, radius: 500, secondWhere: "no_such_column = 1")])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("no such column: no_such_column"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/nightly"))
        #expect(!CLI.files(in: dir).contains { $0.contains("urbangrid-tmp") })
        // an earlier run's folder stays as it was when a later run fails
        #expect(try batch([try plan(dir, radius: 10_000)]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/nightly/summary.json"))
        #expect(try batch([try plan(dir, radius: 500, secondWhere: "no_such_column = 1")]).status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/nightly/summary.json")) == before)
        #expect(!CLI.files(in: dir).contains { $0.contains("urbangrid-tmp") })
        // --out and --db override the plan
        let other = try batch([try plan(dir, radius: 10_000), "--out", dir + "/elsewhere", "--db", dir + "/city.sqlite"])
        #expect(other.status == 0, "\(other.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/elsewhere/report.html"))
        let missing = try batch([dir + "/nope.json"])
        #expect(missing.status == 2 && missing.stderr.contains("nope.json"))
    }
}
