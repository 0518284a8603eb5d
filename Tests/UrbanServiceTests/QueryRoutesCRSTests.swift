import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import UrbanService

/// The query routes' `crs` (issue 20): coordinates sent in GCJ-02, BD-09 or an EPSG CRS answer as their WGS84 point
/// does. The fixture's vendor zone z1 (前门) holds the WGS84 Tiananmen point of gcj02.json, whose GCJ-02 and BD-09
/// values (the reference vectors, never our own output) lie outside it.
@Suite struct QueryRoutesCRSTests {
    static let tiananmen: (wgs: (Double, Double), gcj: (Double, Double), bd: (Double, Double)) = {
        let url = Fixture.root.appendingPathComponent("Tests/SpatialCoreTests/Vectors/gcj02.json")
        let all = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let p = (all["points"] as! [[String: Any]]).first { $0["name"] as? String == "Beijing Tiananmen" }!
        func pair(_ k: String) -> (Double, Double) { let a = p[k] as! [Double]; return (a[0], a[1]) }
        return (pair("wgs84"), pair("gcj02"), pair("bd09"))
    }()

    @Test func vendorCheckInGCJ02AndBD09() async throws {
        let t = Self.tiananmen
        try await Fixture.withService { client in
            func check(_ spot: (Double, Double), _ crs: String?) async throws -> [String: Any] {
                let r = try await client.execute(uri: "/vendor/check?lon=\(spot.0)&lat=\(spot.1)&at=2026-11-20T18:00" + (crs.map { "&crs=\($0)" } ?? ""), method: .get)
                #expect(r.status == .ok, "\(r.text)")
                return try r.json
            }
            #expect(try await check(t.wgs, nil)["zone_id"] as? String == "z1")
            #expect(try await check(t.gcj, nil)["reason_code"] as? String == "outside_zone")  // the offset matters here
            #expect(try await check(t.gcj, "GCJ02")["zone_id"] as? String == "z1")
            #expect(try await check(t.bd, "BD09")["zone_id"] as? String == "z1")
            #expect(try await check(t.wgs, "http://www.opengis.net/def/crs/OGC/1.3/CRS84")["zone_id"] as? String == "z1")
            // vendor/open near a GCJ-02 spot: z1 at 0 m
            let open = try await client.execute(uri: "/vendor/open?at=2026-11-20T18:00&near=\(t.gcj.0),\(t.gcj.1)&radius=1&crs=GCJ02", method: .get)
            let zones = try #require(try open.json["zones"] as? [[String: Any]])
            #expect(zones.map { $0["zone_id"] as! String } == ["z1"], "\(open.text)")
        }
    }

    /// Helsinki stations of the lattice asked in ETRS-TM35FIN (EPSG:3067): the same answer as in WGS84 lon/lat;
    /// `/lookup` in a CRS goes through the router (the fast path answers WGS84 only) with the same object.
    @Test func stationsAndLookupInEPSG3067() async throws {
        // Helsinki Kamppi in proj.json (pyproj): 24.9316, 60.169 → 385230.9593165292, 6672029.9787718365
        try await Fixture.withService { client in
            let wgs = try await client.execute(uri: "/stations/nearest?lon=24.9316&lat=60.169&k=2", method: .get)
            let metric = try await client.execute(uri: "/stations/nearest?lon=385230.9593165292&lat=6672029.9787718365&k=2&crs=EPSG:3067", method: .get)
            #expect(wgs.status == .ok && metric.status == .ok && wgs.text == metric.text, "\(metric.text)")
            let ogc = try await client.execute(uri: "/stations/nearest?lon=385230.9593165292&lat=6672029.9787718365&k=2&crs=http://www.opengis.net/def/crs/EPSG/0/3067", method: .get)
            #expect(ogc.text == wgs.text)
            let l1 = try await client.execute(uri: "/lookup?lon=24.9316&lat=60.169", method: .get)
            let l2 = try await client.execute(uri: "/lookup?lon=385230.9593165292&lat=6672029.9787718365&crs=EPSG:3067", method: .get)
            #expect(l1.status == .ok && l2.status == .ok)
            let (a, b) = (try l1.json, try l2.json)
            #expect(abs((a["lon"] as! Double) - (b["lon"] as! Double)) < 1e-9 && abs((a["lat"] as! Double) - (b["lat"] as! Double)) < 1e-9)
        }
    }

    @Test func badCRSIs400NamingIt() async throws {
        try await Fixture.withService { client in
            for (uri, message) in [("/lookup?lon=1&lat=2&crs=EPSG:999999", "crs:"), ("/lookup?lon=1&lat=2&crs=", "crs: empty"),
                                   ("/hazards?near=1,2&radius=5&crs=nonsense", "crs:"),
                                   ("/stations/nearest?lon=385230&lat=6672029", "is not a WGS84"),
                                   ("/hazards/hotspots?crs=GCJ02", "unknown parameter")] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .badRequest && r.text.contains(message), "\(uri): \(r.text)")
            }
        }
    }

    /// The OpenAPI document lists every query route with the parameters it takes, `crs` among them.
    @Test func openAPIListsTheQueryRoutesAndCRS() async throws {
        try await Fixture.withService { client in
            let r = try await client.execute(uri: "/api", method: .get)
            let paths = try #require(try r.json["paths"] as? [String: Any])
            for route in ["/lookup", "/vendor/check", "/vendor/open", "/hazards", "/stations/nearest", "/hazards/hotspots"] {
                let op = try #require((paths[route] as? [String: Any])?["get"] as? [String: Any], "\(route)")
                let names = Set((op["parameters"] as! [[String: Any]]).map { $0["name"] as! String })
                #expect(names == Set(RequestParameters.allowed[route]!), "\(route): \(names)")
            }
        }
    }

    /// A spot far outside the city (the fixture spans Helsinki to Beijing): answered, with `warnings`; the fast
    /// path and the router write the same object.
    @Test func farSpotWarns() async throws {
        try await Fixture.withService { client in
            let r = try await client.execute(uri: "/lookup?lon=-70&lat=-40", method: .get)
            #expect(r.status == .ok)
            #expect(((try r.json["warnings"] as? [String])?.first ?? "").contains("outside the city's extent"), "\(r.text)")
            let v = try await client.execute(uri: "/vendor/check?lon=-70&lat=-40&at=2026-11-20T18:00", method: .get)
            #expect((try v.json["warnings"] as? [String])?.isEmpty == false, "\(v.text)")
            let fine = try await client.execute(uri: "/lookup?lon=24.95&lat=60.14", method: .get)
            let fineObject = try fine.json
            #expect(fineObject["warnings"] == nil)
        }
    }
}

/// What schemathesis found (issue 20): every 405 names the allowed methods, `/` is documented as the HTML it serves
/// (and the JSON it serves when asked), an empty `datetime=` is accepted.
@Suite struct ServiceContractTests {
    @Test func methodNotAllowedHasAllow() async throws {
        try await Fixture.withService { client in
            for (uri, method) in [("/lookup?lon=1&lat=2", HTTPRequest.Method.post), ("/collections", .delete), ("/", .put)] {
                let r = try await client.execute(uri: uri, method: method)
                #expect(r.status == .methodNotAllowed && r.headers[.allow] == "GET, HEAD", "\(method) \(uri): \(r.status) \(r.headers)")
            }
        }
    }

    @Test func emptyDatetimeIsNoFilter() async throws {
        try await Fixture.withService { client in
            let all = try await client.execute(uri: "/collections/stations/items?limit=3", method: .get)
            let empty = try await client.execute(uri: "/collections/stations/items?limit=3&datetime=", method: .get)
            #expect(empty.status == .ok, "\(empty.text)")
            let (a, b) = (try all.json, try empty.json)
            #expect(a["numberMatched"] as? Int == b["numberMatched"] as? Int)
        }
    }

    @Test func landingPageDocumentedAsHTMLAndJSON() async throws {
        try await Fixture.withService { client in
            let api = try await client.execute(uri: "/api", method: .get)
            let paths = try #require(try api.json["paths"] as? [String: Any])
            let get = try #require((paths["/"] as? [String: Any])?["get"] as? [String: Any])
            let content = try #require(((get["responses"] as? [String: Any])?["200"] as? [String: Any])?["content"] as? [String: Any])
            #expect(Set(content.keys) == ["text/html", "application/json"])
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }
}
