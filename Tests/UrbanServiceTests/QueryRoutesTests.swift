import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import UrbanService

/// The query routes in router test mode on the hand-made `Fixture`: answers follow from how it was built
/// (the station lattice, the golden vendor zones and their hours), errors are 400/404 with a message.
@Suite struct QueryRoutesTests {
    func array(_ r: TestResponse) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [[String: Any]])
    }

    @Test func nearestStationsFollowTheLattice() async throws {
        try await Fixture.withService { client in
            // a spot a little north-east of s3-4: it, then its east and north neighbours (0.01° of longitude is ~555 m
            // at 60.14°N, of latitude ~1113 m)
            let r = try await client.execute(uri: "/stations/nearest?lon=\(Fixture.lon(3) + 0.001)&lat=\(Fixture.lat(4) + 0.0005)&k=3", method: .get)
            #expect(r.status == .ok)
            let hits = try array(r)
            #expect(hits.map { $0["id"] as! String } == ["s3-4", "s4-4", "s2-4"])
            #expect(hits.allSatisfy { $0["distance"] as? String == "straight-line" })
        }
    }

    @Test func vendorCheckAndOpenFollowTheZonesHours() async throws {
        try await Fixture.withService { client in
            // inside z1 (the 前门 zone, Mo-Su 17:00-22:00), outside its hole, on Friday 2026-11-20
            let inside = "lon=116.392&lat=39.902"
            let open = try await client.execute(uri: "/vendor/check?\(inside)&at=2026-11-20T18:00", method: .get)
            #expect(open.status == .ok)
            let o = try open.json
            #expect(o["permitted"] as? Bool == true && o["zone_id"] as? String == "z1" && o["closes_at"] as? String == "2026-11-20T22:00:00+08:00")
            let closed = try await client.execute(uri: "/vendor/check?\(inside)&at=2026-11-20T10:00:00%2B08:00", method: .get)
            let c = try closed.json
            #expect(c["permitted"] as? Bool == false && c["reason_code"] as? String == "zone_closed" && c["opens_at"] as? String == "2026-11-20T17:00:00+08:00")
            // in the hole of z1: no zone
            let hole = try await client.execute(uri: "/vendor/check?lon=116.395&lat=39.905&at=2026-11-20T18:00", method: .get)
            #expect(try hole.json["reason_code"] as? String == "outside_zone")
            // every zone with its state at 08:00 on Friday: z1 closed, z2 (Mo-Fr 07:00-09:00) open
            let zones = try await client.execute(uri: "/vendor/open?at=2026-11-20T08:00", method: .get)
            let list = try #require(try zones.json["zones"] as? [[String: Any]])
            #expect(list.map { "\($0["zone_id"]!)=\($0["open"] as! Bool)" } == ["z1=false", "z2=true"])
            let only = try await client.execute(uri: "/vendor/open?at=2026-11-20T08:00&open_only=true", method: .get)
            #expect((try only.json["zones"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func lookupOutsideEveryGridAndEmptyAnswers() async throws {
        try await Fixture.withService { client in
            let r = try await client.execute(uri: "/lookup?lon=24.95&lat=60.12", method: .get)
            #expect(r.status == .ok)
            let o = try r.json
            for key in ["grid_code", "community_code", "street_code", "district_code", "chief", "segment_id", "segment_distance_m"] {
                #expect(o.keys.contains(key) && o[key] is NSNull, "\(key)")  // no grids, no streets in the fixture
            }
            let h = try await client.execute(uri: "/hazards?near=24.95,60.12&radius=100", method: .get)
            #expect(h.status == .ok && h.text == "[]")
            let hot = try await client.execute(uri: "/hazards/hotspots?by=segment", method: .get)
            #expect(hot.status == .ok && hot.text == "[]")
        }
    }

    @Test func badParametersAre400UnknownIdsAre404() async throws {
        try await Fixture.withService { client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("/lookup?lon=24.9", .badRequest, "lat: missing"),
                ("/lookup?lon=abc&lat=60", .badRequest, "lon: 'abc' is not a number"),
                ("/lookup?lon=1%27%20OR%201=1--&lat=60", .badRequest, "is not a number"),
                ("/lookup?lon=200&lat=60", .badRequest, "is not a WGS84 longitude/latitude"),
                ("/vendor/check?lon=116.39&lat=39.9&at=soon", .badRequest, "'soon' is not an ISO 8601 time"),
                // a combining mark after the time ended the process inside Foundation's DateFormatter (found by fuzzing)
                ("/vendor/check?lon=116.39&lat=39.9&at=2026-11-20T08:00%CC%81", .badRequest, "is not an ISO 8601 time"),
                ("/vendor/open?at=1%D9%91", .badRequest, "is not an ISO 8601 time"),
                ("/vendor/open?at=2026-11-20T08:00&near=116.39", .badRequest, "is not LON,LAT"),
                ("/hazards?radius=5", .badRequest, "give one of"),
                ("/hazards?near=24.9,60.1&radius=-1", .badRequest, "is not a distance in metres"),
                ("/hazards?near=24.9,60.1&radius=10&status=broken", .badRequest, "'broken' is not one of open, resolved"),
                ("/hazards?along=no-such-segment&buffer=5", .notFound, "no street segment with id 'no-such-segment'"),
                ("/hazards?in_grid=999999999999999", .notFound, "no grid cell with code"),
                ("/hazards/hotspots?by=district", .badRequest, "'district' is not one of"),
                ("/hazards/hotspots?top=0", .badRequest, "is not a positive count"),
                ("/stations/nearest?lon=24.9&lat=60.1&k=x", .badRequest, "k: 'x' is not an integer"),
                ("/stations/nearest?lon=24.9&lat=60.1&network=bike", .badRequest, "'bike' is not walk or drive"),
            ]
            for (uri, status, message) in cases {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == status, "\(uri): \(r.status) \(r.text)")
                #expect(r.text.contains(message), "\(uri): \(r.text)")
                #expect((try? r.json["code"]) != nil, "\(uri): a JSON error body")
            }
        }
    }
}
