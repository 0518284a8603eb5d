import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanService
@testable import UrbanStore

/// Classes as (kind, code) and the grade table over HTTP, on both engines: `/hazards` and the OGC API items of the
/// hazards collection carry `kind` and `class_name` (names of GeoData/codes, GB/T 30428.2 as domain-facts §1.3 lists
/// them), `min_severity` and `urgency` take the grade names, unknown text is 400 naming the parameter or field.
@Suite(.serialized) struct ClassKindRoutesTests {
    func withCity(postgres: Bool, _ body: @Sendable (CaseRoutesTests.Client) async throws -> Void) async throws {
        let city = try CaseCity(postgres: postgres)
        defer { city.remove() }
        let db = try City.open(try DatabaseLocation(city.path))
        let codes = Fixture.root.appendingPathComponent("GeoData/codes").path
        try db.loadClassCodes(components: try ClassCodeTable(contentsOfFile: codes + "/components.csv"),
                              events: try ClassCodeTable(contentsOfFile: codes + "/events.csv"))
        let s = CaseCity.spot(3)  // away from the city's own hazard hz1 (0101 without a kind, in cell 0)
        try db.importFeatures([
            Feature(id: "k1", geometry: .point(x: s.lon, y: s.lat), properties: ["kind": "部件", "class_code": "0101", "status": "open", "severity": "一般"]),
            Feature(id: "k2", geometry: .point(x: s.lon + 0.0001, y: s.lat), properties: ["kind": "event", "class_code": "0101", "status": "open", "severity": "紧急"]),
            Feature(id: "k3", geometry: .point(x: s.lon + 0.0002, y: s.lat), properties: ["class_code": "0401", "kind": "事件", "status": "open", "severity": 3]),
        ], into: .hazards, source: "kinds", noding: .auto)
        (db as? PostGISDatabase)?.close()
        let tokens = city.tokens
        let app = try buildApplication(city.configuration(), logger: Fixture.quietLogger, accessLogger: Fixture.quietLogger)
        try await app.test(.router) { client in try await body(CaseRoutesTests.Client(client: client, tokens: tokens)) }
    }

    func list(_ r: TestResponse) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [[String: Any]], "\(r.status) \(r.text)")
    }

    @Test(arguments: [false, true])
    func hazardsCarryKindAndClassName(_ postgres: Bool) async throws {
        try await withCity(postgres: postgres) { c in
            let s = CaseCity.spot(3)
            let near = "/hazards?near=\(s.lon),\(s.lat)&radius=50"
            let all = try list(try await c.call(.get, near, as: nil))
            #expect(all.map { "\($0["id"]!) \($0["kind"]!) \($0["class_code"]!) \($0["class_name"]!) \($0["severity"]!)" } == [
                "k1 component 0101 上水井盖 1", "k2 event 0101 私搭乱建 4", "k3 event 0401 路面塌陷 3"])
            #expect(try list(try await c.call(.get, near + "&min_severity=%E9%87%8D%E5%A4%A7", as: nil)).map { $0["id"] as! String } == ["k2", "k3"])  // 重大
            #expect(try list(try await c.call(.get, near + "&min_severity=urgent", as: nil)).map { $0["id"] as! String } == ["k2"])
            #expect(try list(try await c.call(.get, near + "&kind=component", as: nil)).map { $0["id"] as! String } == ["k1"])
            #expect(try list(try await c.call(.get, near + "&kind=%E4%BA%8B%E4%BB%B6&class=0101", as: nil)).map { $0["id"] as! String } == ["k2"])  // 事件
            for (query, message) in [("&min_severity=huge", "min_severity"), ("&kind=thing", "kind")] {
                let r = try await c.call(.get, near + query, as: nil)
                #expect(r.status == .badRequest && r.text.contains(message) && r.text.contains("'\(query.split(separator: "=")[1])'"), "\(r.text)")
            }
            let geojson = try await c.call(.get, near + "&f=geojson", as: nil)
            #expect(geojson.text.contains(#""class_name":"路面塌陷""#), "\(geojson.text)")
            let items = try await c.call(.get, "/collections/hazards/items?limit=10", as: nil)
            #expect(items.status == .ok)
            let features = try #require(try c.object(items)["features"] as? [[String: Any]])
            let names = Dictionary(uniqueKeysWithValues: features.map { ($0["id"] as! String, ($0["properties"] as! [String: Any])) })
            #expect(names["k1"]?["class_name"] as? String == "上水井盖" && names["k2"]?["class_name"] as? String == "私搭乱建")
            #expect(names["k3"]?["kind"] as? String == "event" && names["hz1"]?["class_name"] is NSNull)  // hz1: 0101 stored without a kind
        }
    }

    @Test(arguments: [false, true])
    func casesTakeGradesAndNameTheirClass(_ postgres: Bool) async throws {
        try await withCity(postgres: postgres) { c in
            let s = CaseCity.spot(1)
            func body(_ kind: String, _ code: String, _ urgency: String) -> String {
                #"{"source":"supervisor","kind":"\#(kind)","class_code":"\#(code)","urgency":"\#(urgency)","lon":\#(s.lon),"lat":\#(s.lat)}"#
            }
            let urgent = try await c.call(.post, "/cases", as: "sup", body: body("事件", "0101", "重大"))
            #expect(urgent.status == .created, "\(urgent.text)")
            let u = try c.object(urgent)
            #expect(u["urgency"] as? String == "urgent" && u["class_name"] as? String == "私搭乱建" && u["kind"] as? String == "event")
            let id = try #require(u["id"] as? String)
            #expect(try await c.get(id)["class_name"] as? String == "私搭乱建")
            let normal = try c.object(try await c.call(.post, "/cases", as: "sup", body: body("component", "0101", "2")))
            #expect(normal["urgency"] as? String == "normal" && normal["class_name"] as? String == "上水井盖")
            for (b, field) in [(body("event", "0101", "soon"), "urgency"), (body("event", "0601", "normal"), "class_code")] {
                let r = try await c.call(.post, "/cases", as: "sup", body: b)
                #expect(r.status == .badRequest && r.text.contains(field), "\(r.text)")
            }
            // a case for a hazard takes the hazard's kind: k2 is the event 0101
            let forHazard = try c.object(try await c.call(.post, "/cases", as: "sup", body: #"{"source":"supervisor","hazard_id":"k2"}"#))
            #expect(forHazard["kind"] as? String == "event" && forHazard["class_name"] as? String == "私搭乱建", "\(forHazard)")
            let listed = try await c.call(.get, "/cases", as: "adm")
            #expect(listed.text.components(separatedBy: #""class_name""#).count - 1 == 3, "\(listed.text)")  // the refused two stored nothing
        }
    }
}
