import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanService
@testable import UrbanStore

/// A small city for the case routes, on either engine: four grid cells in two streets of district 370303 (cells
/// `…001001001`, `…001001002` in street 370303001, `…002001001`, `…002001002` in street 370303002), routing events to
/// sanitation (illegal structures, 0101, to enforcement) and components to water, and one user per role.
final class CaseCity: @unchecked Sendable {
    static let lon0 = 118.00, lat0 = 36.80, cell = 0.01
    static let roles: [(name: String, role: CaseWorkflow.Role, department: String?, district: String?)] = [
        ("sup", .supervisor, nil, nil), ("op", .operator, nil, nil), ("lead", .shiftLeader, nil, nil), ("disp", .dispatcher, nil, nil),
        ("san", .department, "sanitation", nil), ("wat", .department, "water", nil), ("enf", .department, "enforcement", nil),
        ("view", .viewer, nil, nil), ("adm", .admin, nil, nil), ("sup-s2", .supervisor, nil, "370303002"),
    ]
    let path: String
    let scratch: String?
    var tokens: [String: String] = [:]

    /// The spot in cell `i` (0…3: street 1's two cells, then street 2's).
    static func spot(_ i: Int) -> (lon: Double, lat: Double) { (lon0 + cell * (Double(i % 2) + 0.5), lat0 + cell * (Double(i / 2) + 0.5)) }

    init(postgres: Bool) throws {
        if postgres {
            let admin = try PostgresLocation(url: try #require(ProcessInfo.processInfo.environment["URBANGRID_PG_URL"],
                                                              "URBANGRID_PG_URL: run through Tools/test.sh (it starts the PostgreSQL cluster)"), environment: [:])
            let name = "ugcase_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            let c = try PGConnection(admin)
            try c.execute("CREATE DATABASE \(name)")
            c.close()
            scratch = name
            path = ProcessInfo.processInfo.environment["URBANGRID_PG_URL"]!.replacingOccurrences(of: "/postgres", with: "/\(name)")
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-cases-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            path = dir.appendingPathComponent("city.sqlite").path
            scratch = nil
        }
        let db = try City.create(try DatabaseLocation(path), timeZone: "Asia/Shanghai")
        defer { (db as? PostGISDatabase)?.close() }
        func square(_ i: Int) throws -> Geometry {
            let x = Self.lon0 + Self.cell * Double(i % 2), y = Self.lat0 + Self.cell * Double(i / 2)
            return .polygon(Polygon(exterior: try LinearRing([Coordinate(x, y), Coordinate(x + Self.cell, y), Coordinate(x + Self.cell, y + Self.cell),
                                                              Coordinate(x, y + Self.cell), Coordinate(x, y)])))
        }
        let cells = try (0..<4).map { i -> Feature in
            let community = i < 2 ? "370303001001" : "370303002001"
            let code = community + String(format: "%03d", i % 2 + 1)
            return Feature(id: .string(code), geometry: try square(i), properties: ["code": .string(code), "community_code": .string(community)])
        }
        try db.importFeatures(cells, into: .grids, source: "test")
        let chiefs = cells.map { Feature(id: .string("c-\($0.id!)"), geometry: nil, properties: ["name": .string("Chief \($0.id!)"), "grid_code": .string("\($0.id!)")]) }
        try db.importFeatures(chiefs, into: .chiefs, source: "test")
        let cases = try #require(db as? any CaseStore & UserStore)
        _ = try cases.replaceCaseTable(.departments([("sanitation", "环卫"), ("water", "水务"), ("enforcement", "执法")]), schedule: .standard)
        _ = try cases.replaceCaseTable(.routing([.init(kind: .event, classCode: "", departmentID: "sanitation"),
                                                 .init(kind: .event, classCode: "0101", departmentID: "enforcement"),
                                                 .init(kind: .component, classCode: "", departmentID: "water")]), schedule: .standard)
        _ = try cases.replaceCaseTable(.limits([.init(kind: .event, classCode: "", urgency: .normal, limit: .workDays(2)),
                                                .init(kind: .component, classCode: "", urgency: .normal, limit: .workHours(8)),
                                                .init(kind: .event, classCode: "", urgency: .urgent, limit: .workHours(2))]), schedule: .standard)
        for r in Self.roles {
            tokens[r.name] = try cases.addUser(name: r.name, role: r.role, departmentID: r.department, district: r.district).1.text
        }
        try db.importFeatures([Feature(id: "hz1", geometry: .point(x: 118.005, y: 36.805), properties: ["class_code": "0101", "status": "open"])],
                              into: .hazards, source: "test")
    }

    func remove() {
        if let scratch, let url = ProcessInfo.processInfo.environment["URBANGRID_PG_URL"], let admin = try? PostgresLocation(url: url, environment: [:]),
           let c = try? PGConnection(admin) {
            try? c.execute("DROP DATABASE IF EXISTS \(scratch) WITH (FORCE)")
            c.close()
        } else {
            try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
        }
    }

    func configuration(enableCases: Bool = true, authAll: Bool = false) -> ServiceConfiguration {
        ServiceConfiguration(databasePath: path, port: 0, connections: 2, leafletDirectory: Fixture.leaflet, enableCases: enableCases, authAll: authAll)
    }
}

/// The case routes as a bureau drives them, on both engines.
@Suite(.serialized) struct CaseRoutesTests {
    static let dayReports = 504
    struct Client {
        let client: any TestClientProtocol
        let tokens: [String: String]

        @discardableResult
        func call(_ method: HTTPRequest.Method, _ uri: String, as user: String?, body: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
            var headers = extra
            if let user { headers[.authorization] = "Bearer \(tokens[user] ?? user)" }
            if body != nil { headers[.contentType] = "application/json" }
            return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        }

        func object(_ r: TestResponse) throws -> [String: Any] { try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any], "\(r.status) \(r.text)") }

        func report(_ i: Int, as user: String = "sup", kind: String = "event", classCode: String = "0102", source: String = "supervisor",
                    key: String? = nil) async throws -> [String: Any] {
            let s = CaseCity.spot(i % 4)
            let r = try await call(.post, "/cases", as: user,
                                   body: #"{"source":"\#(source)","kind":"\#(kind)","class_code":"\#(classCode)","lon":\#(s.lon),"lat":\#(s.lat),"description":"问题 \#(i)"}"#,
                                   headers: key.map { [HTTPField.Name("Idempotency-Key")!: $0] } ?? [:])
            #expect(r.status == .created, "\(r.text)")
            return try object(r)
        }

        @discardableResult
        func act(_ id: String, _ action: String, as user: String, body: String = "{}", expect status: HTTPResponse.Status = .ok) async throws -> TestResponse {
            let r = try await call(.post, "/cases/\(id)/\(action)", as: user, body: body)
            #expect(r.status == status, "\(action) by \(user): \(r.text)")
            return r
        }

        func get(_ id: String, as user: String = "adm") async throws -> [String: Any] { try object(try await call(.get, "/cases/\(id)", as: user)) }
    }

    func withCity(postgres: Bool, _ body: @Sendable (Client) async throws -> Void) async throws {
        let city = try CaseCity(postgres: postgres)
        defer { city.remove() }
        let tokens = city.tokens
        let app = try buildApplication(city.configuration(), logger: Fixture.quietLogger, accessLogger: Fixture.quietLogger)
        try await app.test(.router) { client in try await body(Client(client: client, tokens: tokens)) }
    }

    /// A day of a bureau: 504 reports by supervisors and operators, every path of the table (63 cases each), then the
    /// assessment, which must equal a recount from the cases' own records.
    @Test(arguments: [false, true])
    func aDayOfABureau(_ postgres: Bool) async throws {
        try await withCity(postgres: postgres) { c in
            var ids: [String] = []
            for i in 0..<Self.dayReports {
                let path = i % 8
                let hotline = path == 2 || path == 3
                let k = try await c.report(i, as: hotline ? "op" : "sup", kind: i % 3 == 0 ? "component" : "event", source: hotline ? "hotline" : "supervisor")
                let id = try #require(k["id"] as? String)
                ids.append(id)
                #expect(k["status"] as? String == (hotline ? "verifying" : "reported"))
                #expect(k["grid_code"] as? String != nil && k["chief"] as? String == "Chief \(k["grid_code"] as? String ?? "")")
                #expect(k["department_id"] as? String == (i % 3 == 0 ? "water" : "sanitation"))
                let dept = i % 3 == 0 ? "wat" : "san"
                switch path {
                case 2:
                    try await c.act(id, "verify", as: "sup", body: #"{"confirmed":false}"#)
                    continue
                case 3:
                    try await c.act(id, "verify", as: "sup", body: #"{"confirmed":true}"#)
                    try await c.act(id, "file", as: "lead")
                    try await c.act(id, "void", as: "lead", body: #"{"note":"重复上报"}"#)
                    continue
                default: try await c.act(id, "file", as: "lead")
                }
                let d = try c.object(try await c.act(id, "dispatch", as: "disp"))
                #expect(d["deadline"] as? String != nil && d["time_state"] as? String == "green")
                switch path {
                case 0:
                    try await c.act(id, "handle", as: dept, body: #"{"note":"已处置"}"#)
                    try await c.act(id, "check", as: "sup", body: #"{"passed":true}"#)
                case 1:
                    try await c.act(id, "handle", as: dept)
                    try await c.act(id, "check", as: "sup", body: #"{"passed":false,"note":"未清理干净"}"#)
                    try await c.act(id, "handle", as: dept)
                    try await c.act(id, "check", as: "sup", body: #"{"passed":true}"#)
                case 4:
                    try await c.act(id, "return", as: dept, body: #"{"note":"非本单位职责"}"#)
                    try await c.act(id, "dispatch", as: "disp", body: #"{"department_id":"enforcement"}"#)
                    try await c.act(id, "handle", as: "enf")
                    try await c.act(id, "check", as: "sup", body: #"{"passed":true}"#)
                case 5:
                    try await c.act(id, "park", as: "lead")
                    try await c.act(id, "unpark", as: "lead")
                    try await c.act(id, "handle", as: dept)
                    try await c.act(id, "check", as: "sup", body: #"{"passed":true}"#)
                case 6:
                    let e = try c.object(try await c.act(id, "extend", as: "lead", body: #"{"work_hours":4}"#))
                    #expect(e["extension_work_hours"] as? Double == 4)
                    try await c.act(id, "handle", as: dept)
                default: break
                }
            }
            // every case's history replays to its status; versions count the transitions
            var byStatus: [String: Int] = [:]
            var records: [[String: Any]] = []
            for id in ids {
                let r = try await c.get(id)
                records.append(r)
                let events = try #require(r["events"] as? [[String: Any]])
                #expect(events.last?["to"] as? String == r["status"] as? String && events.count == r["version"] as? Int)
                byStatus[r["status"] as? String ?? "", default: 0] += 1
            }
            let each = Self.dayReports / 8
            #expect(byStatus == ["closed": 4 * each, "voided": 2 * each, "handled": each, "dispatched": each])
            // the assessment by grid over [yesterday, +60 days), recounted here from the records
            let zone = TimeZone(identifier: "Asia/Shanghai")!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let today = calendar.startOfDay(for: Date())
            let from = calendar.date(byAdding: .day, value: -1, to: today)!, to = calendar.date(byAdding: .day, value: 60, to: today)!
            func day(_ d: Date) -> String { String(ISOTime.string(d, in: zone).prefix(10)) }
            func time(_ v: Any?) -> Date? { (v as? String).flatMap { ISOTime.instant($0) } }
            var expected: [String: [Int]] = [:]
            for r in records {
                let key = r["grid_code"] as? String ?? ""
                var row = expected[key] ?? Array(repeating: 0, count: 9)
                func inPeriod(_ d: Date?) -> Bool { d.map { $0 >= from && $0 < to } ?? false }
                row[0] += inPeriod(time(r["reported_at"])) ? 1 : 0
                row[1] += inPeriod(time(r["filed_at"])) ? 1 : 0
                row[2] += inPeriod(time(r["dispatched_at"])) ? 1 : 0
                if let deadline = time(r["deadline"]), inPeriod(deadline), r["status"] as? String != "parked" {
                    row[3] += 1
                    let closed = time(r["closed_at"]), handled = time(r["handled_at"])
                    row[4] += closed.map { $0 < to } == true ? 1 : 0
                    row[5] += closed.map { $0 <= deadline } == true ? 1 : 0
                    row[6] += handled.map { $0 <= deadline } == true ? 1 : 0
                    row[7] += (r["rework_count"] as? Int ?? 0) > 0 ? 1 : 0
                    row[8] += (r["extension_work_hours"] as? Double ?? 0) > 0 ? 1 : 0
                }
                expected[key] = row
            }
            let a = try await c.call(.get, "/assessment?by=grid&from=\(day(from))&to=\(day(to))", as: "view")
            #expect(a.status == .ok, "\(a.text)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(a.text.utf8)) as? [[String: Any]])
            let names = ["reported", "filed", "dispatched", "due", "closed", "closed_on_time", "handled_on_time", "rework", "extended"]
            #expect(rows.count == expected.count)
            for r in rows {
                let key = r["key"] as? String ?? ""
                #expect(names.map { r[$0] as? Int ?? -1 } == expected[key], "grid \(key)")
                let due = r["due"] as? Int ?? 0
                #expect((r["closure_rate"] as? Double).map { abs($0 - Double(r["closed"] as? Int ?? 0) / Double(due)) < 1e-4 } ?? (due == 0))
            }
            #expect(rows.reduce(0) { $0 + ($1["reported"] as? Int ?? 0) } == Self.dayReports)
            // CSV too
            let csv = try await c.call(.get, "/assessment?by=department&from=\(day(from))&to=\(day(to))&f=csv", as: "adm")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true && csv.text.hasPrefix("key,reported,filed,dispatched,due,"))
            // the list: newest first, scoped, GeoJSON
            let list = try await c.call(.get, "/cases?status=voided&limit=1000", as: "adm")
            #expect(try #require(try JSONSerialization.jsonObject(with: Data(list.text.utf8)) as? [[String: Any]]).count == 2 * each)
            let open = try await c.call(.get, "/cases?status=open&limit=1000", as: "adm")
            #expect(try #require(try JSONSerialization.jsonObject(with: Data(open.text.utf8)) as? [[String: Any]]).count == 2 * each)
            let scoped = try await c.call(.get, "/cases?limit=1000", as: "sup-s2")
            let scopedRows = try #require(try JSONSerialization.jsonObject(with: Data(scoped.text.utf8)) as? [[String: Any]])
            #expect(scopedRows.count == Self.dayReports / 2 && scopedRows.allSatisfy { ($0["street_code"] as? String) == "370303002" })
            let mine = try await c.call(.get, "/cases?limit=1000", as: "enf")
            #expect(try #require(try JSONSerialization.jsonObject(with: Data(mine.text.utf8)) as? [[String: Any]]).count == each)
            let geo = try await c.call(.get, "/cases?f=geojson&limit=5", as: "view")
            #expect(geo.headers[.contentType] == "application/geo+json" && geo.text.contains(#""type":"FeatureCollection""#))
        }
    }

    /// Every action by every role on a case in the status the action needs: only the table's role (and admin) may act,
    /// and every refusal (403) leaves the case as it was.
    @Test func theRoleMatrix() async throws {
        try await withCity(postgres: false) { c in
            let steps: [(String, String, String)] = [  // action, body, the status it needs (reached first by the right roles)
                ("verify", #"{"confirmed":true}"#, "verifying"), ("file", "{}", "reported"), ("dispatch", "{}", "filed"), ("park", "{}", "dispatched"),
                ("unpark", "{}", "parked"), ("extend", #"{"work_hours":1}"#, "dispatched"), ("return", #"{"note":"n"}"#, "dispatched"),
                ("void", #"{"note":"n"}"#, "filed"), ("handle", "{}", "dispatched"), ("check", #"{"passed":true}"#, "handled"),
            ]
            let allowed: [String: Set<String>] = [
                "verify": ["sup", "adm"], "file": ["lead", "adm"], "dispatch": ["disp", "adm"], "park": ["lead", "adm"], "unpark": ["lead", "adm"],
                "extend": ["lead", "adm"], "return": ["san", "adm"], "void": ["lead", "adm"], "handle": ["san", "adm"], "check": ["sup", "adm"],
            ]
            /// A new case brought to `status` by the right roles.
            func caseAt(_ status: String, _ n: Int) async throws -> String {
                let k = try await c.report(n, as: "op", source: "hotline")
                let id = k["id"] as! String
                let path: [(String, String, String)] = [("verify", "sup", #"{"confirmed":true}"#), ("file", "lead", "{}"), ("dispatch", "disp", "{}")]
                let order = ["verifying", "reported", "filed", "dispatched"]
                for (action, user, body) in path.prefix(order.firstIndex(of: status == "parked" || status == "handled" ? "dispatched" : status)!) {
                    try await c.act(id, action, as: user, body: body)
                }
                if status == "parked" { try await c.act(id, "park", as: "lead") }
                if status == "handled" { try await c.act(id, "handle", as: "san") }
                return id
            }
            var n = 0
            for (action, body, status) in steps {
                for role in CaseCity.roles.map(\.name) where role != "sup-s2" {
                    n += 1
                    let id = try await caseAt(status, n)
                    let before = try await c.get(id)
                    let r = try await c.call(.post, "/cases/\(id)/\(action)", as: role, body: body)
                    if allowed[action]!.contains(role) {
                        #expect(r.status == .ok, "\(action) by \(role): \(r.text)")
                    } else {
                        #expect(r.status == .forbidden, "\(action) by \(role): \(r.status) \(r.text)")
                        let after = try await c.get(id)
                        #expect(after["version"] as? Int == before["version"] as? Int && after["status"] as? String == status, "\(action) by \(role)")
                    }
                }
            }
            // a district-limited supervisor acts in its street only
            let inside = try await c.report(2, as: "sup-s2")
            let outside = try await c.report(0, as: "sup")
            #expect(inside["street_code"] as? String == "370303002")
            let o = try await c.call(.get, "/cases/\(outside["id"] as! String)", as: "sup-s2")
            #expect(o.status == .forbidden)
            #expect(try await c.call(.get, "/cases/\(inside["id"] as! String)", as: "sup-s2").status == .ok)
        }
    }

    /// 401, 404, 409, 412, 422, 400 and 429, each changing nothing; hazards resolved through HTTP.
    @Test(arguments: [false, true])
    func refusalsAndErrors(_ postgres: Bool) async throws {
        try await withCity(postgres: postgres) { c in
            #expect(try await c.call(.post, "/cases", as: nil, body: "{}").status == .unauthorized)
            #expect(try await c.call(.get, "/cases", as: nil).headers[.wwwAuthenticate] == "Bearer")
            #expect(try await c.call(.get, "/cases/E1", as: "adm").status == .notFound)
            let k = try await c.report(0, key: "day-1-report-1")
            let id = k["id"] as! String
            // the same key and body: the first answer, nothing created; another body: 422
            let again = try await c.report(0, key: "day-1-report-1")
            #expect(again["id"] as? String == id)
            let other = try await c.call(.post, "/cases", as: "sup", body: #"{"source":"supervisor","kind":"event","class_code":"0103","lon":118.005,"lat":36.805}"#,
                                         headers: [HTTPField.Name("Idempotency-Key")!: "day-1-report-1"])
            #expect(other.status == .unprocessableContent, "\(other.text)")
            #expect(try await c.act(id, "dispatch", as: "disp", expect: .conflict).text.contains("not possible for a case that is reported"))
            let stale = try await c.call(.post, "/cases/\(id)/file", as: "lead", body: "{}", headers: [.ifMatch: "\"7\""])
            #expect(stale.status == .preconditionFailed)
            let filed = try await c.call(.post, "/cases/\(id)/file", as: "lead", body: "{}", headers: [.ifMatch: "\"1\""])
            #expect(filed.status == .ok && filed.headers[.eTag] == "\"2\"")
            // bad bodies name the field; hostile ones are 400 too, and change nothing
            for (body, field) in [(#"{"passed":"yes"}"#, "passed"), ("{", "body"), (String(repeating: "[", count: 600), "body"),
                                  (#"{"passed":true,"sql":"'; DROP TABLE cases; --"}"#, "sql"), (String(repeating: "x", count: 20_000), "body")] {
                let r = try await c.call(.post, "/cases/\(id)/check", as: "sup", body: body)
                #expect(r.status == .badRequest && r.text.contains(field), "\(body.prefix(30)): \(r.text)")
            }
            let injected = try await c.call(.post, "/cases", as: "sup", body: #"{"source":"supervisor","kind":"event","class_code":"0102","lon":118.005,"lat":36.805,"description":"'); DROP TABLE cases; --"}"#)
            let injectedCase = try c.object(injected)
            #expect(injected.status == .created && injectedCase["description"] as? String == "'); DROP TABLE cases; --")
            #expect(try await c.get(id)["version"] as? Int == 2)
            // hazards resolved by a supervisor, not by a viewer
            #expect(try await c.call(.post, "/hazards/hz1/status", as: "view", body: #"{"status":"resolved"}"#).status == .forbidden)
            let h = try await c.call(.post, "/hazards/hz1/status", as: "sup", body: #"{"status":"resolved","note":"已修复"}"#)
            #expect(h.status == .ok && h.text.contains(#""to":"resolved""#) && h.text.contains(#""by":"sup""#))
            #expect(try await c.call(.post, "/hazards/nope/status", as: "sup", body: #"{"status":"resolved"}"#).status == .notFound)
            // bad tokens: 401 each, then 429 for the client whatever it sends
            for _ in 0..<TokenCheck.failureLimit {
                #expect(try await c.call(.get, "/cases", as: "ug_0000000000000000_" + String(repeating: "0", count: 64)).status == .unauthorized)
            }
            #expect(try await c.call(.get, "/cases", as: "adm").status == .tooManyRequests)
        }
    }

    @Test func withoutEnableCasesTheServiceStaysReadOnly() async throws {
        let city = try CaseCity(postgres: false)
        defer { city.remove() }
        let tokens = city.tokens
        let app = try buildApplication(city.configuration(enableCases: false, authAll: true), logger: Fixture.quietLogger, accessLogger: Fixture.quietLogger)
        try await app.test(.router) { client in
            let c = Client(client: client, tokens: tokens)
            let post = try await c.call(.post, "/cases", as: "sup", body: "{}")
            #expect(post.status == .methodNotAllowed)
            let anonymous = try await c.call(.get, "/lookup?lon=118.005&lat=36.805", as: nil)
            #expect(anonymous.status == .unauthorized)  // --auth-all
            let viewer = try await c.call(.get, "/lookup?lon=118.005&lat=36.805", as: "view")
            #expect(viewer.status == .ok)
        }
    }
}
