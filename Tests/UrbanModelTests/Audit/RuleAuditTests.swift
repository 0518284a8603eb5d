import Foundation
import SpatialCore
import Testing
@testable import UrbanModel

/// The rules on the hand-built city of `QueriesTests`: four cells (a chief only for 002), two crossing streets
/// (noded into four segments), the vendor zone z1 whose corner is a school, open hazards, two stations close by.
@Suite struct RuleAuditTests {
    func rules(_ json: String) throws -> (RuleSet, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try json.write(toFile: dir + "/rules.json", atomically: true, encoding: .utf8)
        return (try RuleSet(contentsOf: dir + "/rules.json"), dir)
    }

    @Test func eachRuleOnTheHandBuiltCity() throws {
        let (db, dir) = try QueriesTests().city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // one hazard reported ten days before the audit time, one two days before
        try db.importFeatures([
            Feature(id: "old", geometry: .point(x: QueriesTests.lon0 + 0.0001, y: QueriesTests.lat0 + 0.0001),
                    properties: ["class_code": "0102", "status": "open", "reported_at": "2026-11-12T09:00:00+08:00"]),
            Feature(id: "new", geometry: .point(x: QueriesTests.lon0 + 0.0001, y: QueriesTests.lat0 + 0.0001),
                    properties: ["class_code": "0102", "status": "open", "reported_at": "2026-11-20T09:00:00+08:00"]),
        ], into: .hazards, source: "t")
        let (set, rdir) = try rules("""
            {"rules": [{"kind": "grid-chief"}, {"kind": "segment-chief"},
                       {"id": "EX", "kind": "vendor-zone-exclusion", "distance_m": 50},
                       {"kind": "hazard-age", "max_days": 7}, {"kind": "station-coverage", "radius_m": 500},
                       {"kind": "vendor-zones-per-street"}]}
            """)
        defer { try? FileManager.default.removeItem(atPath: rdir) }
        let q = try CityAnalysis(db)
        let r = try q.audit(set, at: ISOTime.date("2026-11-22T09:00", in: q.frame.timeZone)!)
        #expect(r.map(\.id) == ["R1", "R2", "EX", "R4", "R5", "R6"])
        #expect(r[0].offenders.map(\.id) == ["999901001001001", "999901001001003", "999901001001004"] && r[0].checked == 4)
        #expect(r[1].offenders.count == 4 && r[1].checked == 4)  // the two streets, noded where they cross
        #expect(r[2].offenders.map(\.id) == ["z1"] && r[2].offenders[0].detail.contains("school"))  // the school is z1's corner
        #expect(r[3].offenders.map(\.id) == ["old"] && r[3].checked == 4)  // h1 and h2 have no report time: not judged
        #expect(r[4].passed && r[4].checked == 4)  // every cell within ~200 m of a station
        #expect(r[5].passed && r[5].checked == 0)  // no admin streets in this city
    }

    /// The coverage rule along the streets: parsed with its mode, and on the hand-built city (two crossing streets,
    /// both stations and every cell centroid snapping onto them) every cell is reached within 5 km, none within 1 m.
    @Test func stationCoverageAlongTheStreets() throws {
        let (db, dir) = try QueriesTests().city()
        let q = try CityAnalysis(db)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (set, rdir) = try rules("""
            {"rules": [{"id": "W", "kind": "station-coverage", "radius_m": 5000, "network": "walk"},
                       {"id": "N", "kind": "station-coverage", "radius_m": 1, "network": "walk"},
                       {"id": "S", "kind": "station-coverage", "radius_m": 5000, "network": null}]}
            """)
        defer { try? FileManager.default.removeItem(atPath: rdir) }
        #expect(set.rules.map(\.rule) == [.stationCoverage(radiusMetres: 5000, measure: .centroid, network: .walk),
                                           .stationCoverage(radiusMetres: 1, measure: .centroid, network: .walk),
                                           .stationCoverage(radiusMetres: 5000, measure: .centroid, network: nil)])
        let r = try q.audit(set, at: ISOTime.date("2026-11-22T09:00", in: q.frame.timeZone)!)
        #expect(r[0].passed && r[0].checked == 4 && r[0].description.contains("walking along the streets"))
        #expect(r[1].offenders.count == 4 && r[1].offenders.allSatisfy { $0.detail.hasPrefix("nearest station") })
        #expect(r[2].passed && r[2].description.contains("straight-line"))
    }

    @Test func mistakesNameTheirPlace() throws {
        func error(_ json: String) -> String {
            do {
                let (_, dir) = try rules(json)
                try? FileManager.default.removeItem(atPath: dir)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(error(#"{"rules": [{"kind": "fire-safety"}]}"#).contains("(rules[0].kind): 'fire-safety' is not one of"))
        #expect(error(#"{"rules": [{"kind": "station-coverage"}]}"#).contains("(rules[0].radius_m): missing"))
        #expect(error(#"{"rules": [{"kind": "hazard-age", "max_days": -1}]}"#).contains("(rules[0].max_days)"))
        #expect(error(#"{"rules": [{"id": "A", "kind": "grid-chief"}, {"id": "A", "kind": "segment-chief"}]}"#).contains("'A' is used twice"))
        #expect(error(#"{"rules": []}"#).contains("no rules"))
        #expect(error(#"{"rules": [{"kind": "station-coverage", "radius_m": 5, "network": "bike"}]}"#).contains("(rules[0].network): expected \"walk\" or \"drive\""))
        #expect(error(#"{"rules": [{"kind": "station-coverage", "radius_m": 5, "measure": "boundary", "network": "walk"}]}"#).contains("(rules[0].measure)"))
        #expect(error(#"{"rule": []}"#).contains("(rules): expected a list"))
    }

    // Found by fuzzing (Tests/FuzzCorpus/rules/crash-huge-min.json): a count of 1e22 ended the process converting
    // the double to Int. Counts are whole numbers from 0 to 10^9; anything else is refused with its place.
    @Test(arguments: [("10000000000000000000030", "1e+22"), ("1.5", "1.5"), ("-1", "-1"), ("\"3\"", "\"3\"")])
    func countsAreWholeAndInRange(_ c: (String, String)) {
        let text = #"{"rules": [{"kind": "grid-chief"}, {"kind": "vendor-zones-per-street", "min": \#(c.0)}]}"#
        #expect(throws: ModelError.malformedRecord(
            .init(file: "r.json", field: "rules[1].min"), reason: "expected a whole number from 0 to 1000000000, found \(c.1)")) {
            try RuleSet(parsing: Array(text.utf8), path: "r.json")
        }
    }

    @Test func countsInRangeAreRead() throws {
        let set = try RuleSet(parsing: Array(#"{"rules": [{"kind": "markets-per-district", "min": 1000000000}]}"#.utf8), path: "r.json")
        #expect(set.rules.map(\.rule) == [.marketsPerDistrict(min: 1_000_000_000, poiKinds: ["marketplace", "convenience", "supermarket"], zoneKinds: ["便民市场"])])
    }
}
