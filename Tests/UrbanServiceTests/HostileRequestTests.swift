import Foundation
import Hummingbird
import HummingbirdTesting
import SpatialCore
import Testing
import UrbanModel
import UrbanService
import UrbanStore

/// A database for the hostile requests: every layer a route reads has something in it, so that a request reaching
/// SQL or an index would show (stations on the `Fixture` lattice, two streets, three hazards with report times,
/// the golden vendor zones, three chiefs).
enum HostileFixture {
    static let database: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-hostile-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("city.sqlite").path
        let db = try! UrbanDatabase.create(path: path)
        var stations: [Feature] = []
        for j in 0..<Fixture.rows {
            for i in 0..<Fixture.columns {
                stations.append(Feature(id: .string("s\(i)-\(j)"), geometry: .point(x: Fixture.lon(i), y: Fixture.lat(j)),
                                        properties: ["name": .string("Station \(i) \(j)")]))
            }
        }
        try! db.importFeatures(stations, into: .stations, source: "hostile")
        let streets = [
            Feature(id: .string("st1"), geometry: .lineString(try! LineString([Coordinate(24.90, 60.12), Coordinate(25.00, 60.12)])), properties: ["name": "Street 1"]),
            Feature(id: .string("st2"), geometry: .lineString(try! LineString([Coordinate(24.95, 60.10), Coordinate(24.95, 60.15)])), properties: ["name": "Street 2"]),
        ]
        try! db.importFeatures(streets, into: .streets, source: "hostile", noding: .never)
        let hazards = (1...3).map { n in
            Feature(id: .string("h\(n)"), geometry: .point(x: 24.95 + 0.001 * Double(n), y: 60.12 + 0.0005),
                    properties: ["class_code": "0101", "status": "open", "severity": .int(Int64(n)),
                                 "reported_at": .string("2026-11-\(10 + n)T09:30:00+08:00")])
        }
        try! db.importFeatures(hazards, into: .hazards, source: "hostile")
        let zones = try! FeatureFile.read(Fixture.root.appendingPathComponent("Tests/CLITests/Golden/vendor-zones-input.geojson").path)
        try! db.importFeatures(zones, into: .vendorZones, source: "vendor-zones-input.geojson")
        let chiefs = (1...3).map { Feature(id: .string("c\($0)"), geometry: nil, properties: ["name": .string("Chief \($0)")]) }
        try! db.importFeatures(chiefs, into: .chiefs, source: "hostile")
        return path
    }()

    static func configuration() -> ServiceConfiguration {
        ServiceConfiguration(databasePath: database, port: 0, connections: 2, leafletDirectory: Fixture.leaflet)
    }

    /// The database as bytes (main file and WAL) and every table's rows as text: equal before and after means nothing
    /// was written.
    static func snapshot() throws -> (bytes: [Data], rows: [String: [String]]) {
        let bytes = try ["", "-wal"].map { suffix in
            FileManager.default.fileExists(atPath: database + suffix) ? try Data(contentsOf: URL(fileURLWithPath: database + suffix)) : Data()
        }
        let db = try UrbanDatabase(path: database, readOnly: true)
        var rows: [String: [String]] = [:]
        for table in try db.store.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap({ $0[0].string }) {
            rows[table] = try db.store.query("SELECT * FROM \"\(table)\"").map { "\($0)" }
        }
        return (bytes, rows)
    }
}

/// One request of the corpus (`HostileRequests.json`, written by `Tools/check/hostile_corpus.py`).
struct HostileCase: Decodable, Sendable {
    var method: String
    var path: String
    var status: Int
    var words: [String]
    var note: String
    var headers: [String: String]?
}

/// The bad-request corpus against the router (no socket): every case gets its status and a JSON message with its
/// words, none is a 500, and the database is byte-for-byte and row-for-row unchanged afterwards. Prints one line per
/// case (`hostile: expected actual …`), which `Tools/hostile-check.sh` shows.
@Suite struct HostileRequestTests {
    static let corpus: [HostileCase] = {
        struct File: Decodable { var cases: [HostileCase] }
        let url = Fixture.root.appendingPathComponent("Tests/UrbanServiceTests/HostileRequests.json")
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    @Test func everyHostileRequestIsRefusedAndNothingChanges() async throws {
        let cases = Self.corpus
        #expect(cases.count > 500)
        let before = try HostileFixture.snapshot()
        let results = try await Fixture.withService(HostileFixture.configuration()) { client in
            var results: [(HostileCase, Int, String)] = []
            for c in cases {
                var headers = HTTPFields()
                if let length = c.headers?["content-length"] { headers[.contentLength] = length }
                let r = try await client.execute(uri: c.path, method: HTTPRequest.Method(c.method)!, headers: headers)
                results.append((c, Int(r.status.code), r.text))
            }
            return results
        }
        var failures: [String] = []
        var statuses: [Int: Int] = [:]
        for (c, status, text) in results {
            statuses[status, default: 0] += 1
            let problems = Self.problems(c, status: status, text: text)
            let shown: String = c.path.count > 110 ? String(c.path.prefix(100)) + "…(\(c.path.count) chars)" : c.path
            let verdict = problems.isEmpty ? "ok  " : "FAIL"
            let detail = problems.isEmpty ? "" : " " + problems.joined(separator: ", ") + ": " + String(text.prefix(200))
            print("hostile: expected \(c.status) actual \(status) \(verdict) \(c.method) \(shown)  [\(c.note)]\(detail)")
            if !problems.isEmpty { failures.append("\(c.method) \(shown):\(detail)") }
        }
        let counts = statuses.keys.sorted().map { "\($0)×\(statuses[$0]!)" }.joined(separator: " ")
        print("hostile: \(results.count) cases, \(results.count - failures.count) as expected, \(failures.count) failures, statuses \(counts)")
        let listed = failures.prefix(40).joined(separator: "\n")
        #expect(failures.isEmpty, "\(failures.count) cases answered wrongly:\n\(listed)")
        #expect(!results.contains { $0.1 >= 500 }, "a 5xx answer")
        let after = try HostileFixture.snapshot()
        #expect(after.bytes == before.bytes, "the database file changed")
        #expect(after.rows == before.rows, "rows changed")
        #expect(after.rows["stations"]?.count == Fixture.columns * Fixture.rows)
        #expect(after.rows["hazards"]?.count == 3)
    }

    /// What is wrong with an answer to `c`: the status, a missing JSON error body, a missing word.
    static func problems(_ c: HostileCase, status: Int, text: String) -> [String] {
        var problems: [String] = []
        if status != c.status { problems.append("status \(status)") }
        if status >= 400 {
            let body = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
            let code = body?["code"] as? String
            let description = body?["description"] as? String ?? ""
            if code == nil || description.isEmpty { problems.append("no JSON {code, description} body") }
        }
        for w in c.words where !text.contains(w) { problems.append("message lacks '\(w)'") }
        return problems
    }

    @Test func datetimeSelectsHazardsByReportTime() async throws {
        // h1, h2, h3 were reported at 09:30 +08:00 on the 11th, 12th and 13th: 01:30Z
        try await Fixture.withService(HostileFixture.configuration()) { client in
            for (datetime, ids) in [("2026-11-12T01:30:00Z", ["h2"]), ("2026-11-12T09:30:00%2B08:00", ["h2"]),
                                    ("2026-11-12T00:00:00Z/..", ["h2", "h3"]), ("../2026-11-12T01:30:00Z", ["h1", "h2"]),
                                    ("/2026-11-11T01:30:00Z", ["h1"]), ("2026-11-11T01:30:01Z/2026-11-13T01:29:59Z", ["h2"]),
                                    ("2027-01-01T00:00:00Z/..", [])] {
                let r = try await client.execute(uri: "/collections/hazards/items?datetime=\(datetime)", method: .get)
                #expect(r.status == .ok, "\(datetime): \(r.text)")
                let page = try r.json
                let got = (page["features"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(got == ids, "\(datetime)")
                #expect(page["numberMatched"] as? Int == ids.count)
            }
            // the paging links keep the filter
            let r = try await client.execute(uri: "/collections/hazards/items?datetime=2026-11-01T00:00:00Z/..&limit=1", method: .get)
            let next = try #require(try r.json.link("next"))
            let decoded = next.removingPercentEncoding ?? next
            #expect(decoded.contains("datetime=2026-11-01T00:00:00Z/..") && decoded.contains("limit=1"), "\(next)")
        }
    }
}
