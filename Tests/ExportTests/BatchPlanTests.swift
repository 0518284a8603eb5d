import Foundation
import SpatialCore
import Testing
@testable import UrbanModel
import Export

/// Plans are read strictly: every mistake names the plan file and the JSON path of the member.
@Suite struct BatchPlanTests {
    func plan(_ text: String) throws -> BatchPlan {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-plan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try text.write(toFile: dir + "/plan.json", atomically: true, encoding: .utf8)
        return try BatchPlan(contentsOf: dir + "/plan.json")
    }

    func error(_ text: String) -> String {
        do {
            _ = try plan(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func readsTheBundledNightlyPlan() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let p = try BatchPlan(contentsOf: root.appendingPathComponent("GeoData/plans/nightly.json").path)
        #expect(p.database == root.appendingPathComponent("out/demo.sqlite").path)
        #expect(p.output == root.appendingPathComponent("out/nightly").path)
        #expect(p.exports.map(\.name) == ["grids", "city", "open-hazards", "open-hazards", "vendor-zones-amap", "stations-tm35fin"])
        #expect(p.exports[1].layer == nil && p.exports[1].settings.format == .gpkg)
        #expect(p.exports[2].settings.filter.whereSQL == "status = 'open'")
        #expect(p.exports[4].settings.crs == .gcj02)
        #expect(p.exports[5].settings.precision == 2)
        #expect(p.audits == [.grid, .stationCoverage(radiusMetres: 500, measure: .centroid), .assessment(by: .grid, days: 30, from: nil, to: nil),
                             .assessment(by: .department, days: 30, from: nil, to: nil)])
    }

    @Test func mistakesNameTheirPlace() throws {
        #expect(error(#"{"exports": [{"layer": "parks", "format": "geojson"}]}"#).contains("plan.json (exports[0].layer): unknown layer 'parks'"))
        #expect(error(#"{"exports": [{"layer": "grids", "format": "kml"}]}"#).contains("(exports[0].format): 'kml' is not one of"))
        #expect(error(#"{"exports": [{"layer": "grids", "format": "csv", "crs": "EPSG:0"}]}"#).contains("(exports[0].crs)"))
        #expect(error(#"{"exports": [{"layer": "grids", "format": "csv", "bbox": [1, 2, 3]}]}"#).contains("(exports[0].bbox)"))
        #expect(error(#"{"exports": [{"layer": "grids", "format": "csv", "name": "../x"}]}"#).contains("(exports[0].name)"))
        #expect(error(#"{"exports": [{"layer": "grids", "format": "csv"}, {"layer": "grids", "format": "csv"}]}"#)
            .contains("(exports[1].name): 'grids.csv' is written by exports[0] already"))
        #expect(error(#"{"exports": [{"layer": "grids", "format": "csv", "colour": "red"}]}"#).contains("(exports[0].colour): unknown member"))
        #expect(error(#"{"audits": [{"kind": "station-coverage"}]}"#).contains("(audits[0].radius_m)"))
        #expect(error(#"{"audits": [{"kind": "assessment", "by": "city"}]}"#).contains("(audits[0].by)"))
        #expect(error(#"{"audits": [{"kind": "assessment", "from": "2026-11-01"}]}"#).contains("(audits[0].from)"))
        #expect(error(#"{"audits": [{"kind": "assessment", "from": "2026-11-01", "to": "2026-11-31"}]}"#).contains("(audits[0].to)"))
        #expect(error(#"{"audits": [{"kind": "assessment", "days": 0}]}"#).contains("(audits[0].days)"))
        #expect(try plan(#"{"audits": [{"kind": "assessment", "by": "street", "from": "2026-11-01", "to": "2026-12-01"}]}"#).audits
                == [.assessment(by: .street, days: 30, from: "2026-11-01", to: "2026-12-01")])
        #expect(error(#"{"audits": [{"kind": "station-coverage", "radius_m": 500, "measure": "walk"}]}"#).contains("(audits[0].measure)"))
        #expect(error(#"{"audits": [{"kind": "fire"}]}"#).contains("(audits[0].kind): 'fire' is not one of"))
        #expect(error(#"{"audits": [{"kind": "station-coverage", "radius_m": 500, "network": "bike"}]}"#).contains("(audits[0].network)"))
        #expect(try plan(#"{"audits": [{"kind": "station-coverage", "radius_m": 500, "network": "drive"}]}"#).audits
            == [.stationCoverage(radiusMetres: 500, measure: .centroid, network: .drive)])
        #expect(error(#"{"title": "empty"}"#).contains("no exports and no audits"))
        #expect(error(#"{"exports": [}"#).contains("not JSON"))
        #expect(error(#"[1]"#).contains("a plan is a JSON object"))
    }
}
