import SpatialCore
import Testing
@testable import UrbanModel

/// The service's query parameters turned into typed requests (what the routes and the `http-params` fuzz target
/// run); expected values read off the parameters by hand.
@Suite struct RequestParametersTests {
    func q(_ pairs: (String, String)...) -> RequestParameters { RequestParameters(pairs.map { (name: $0.0, value: $0.1) }) }

    @Test func typedRequests() throws {
        #expect(try LookupRequest(q(("lon", "24.9"), ("lat", "60.1"))).spot == Coordinate(24.9, 60.1))
        #expect(try NearestStationsRequest(q(("lat", "60.1"), ("lon", "24.9"), ("k", "3"))).k == 3)
        #expect(try NearestStationsRequest(q(("lat", "60.1"), ("lon", "24.9"))).k == 1)
        let open = try VendorOpenRequest(q(("at", "2026-11-20T08:00"), ("near", "116.39, 39.9"), ("radius", "500"), ("open_only", "true")))
        #expect(open.at == "2026-11-20T08:00" && open.near == Coordinate(116.39, 39.9) && open.radiusMetres == 500 && open.openOnly)
        #expect(try HazardsRequest(q(("along", "seg-1"), ("buffer", "5"), ("f", "geojson"))).area == .along(segmentID: "seg-1", bufferMetres: 5))
        #expect(try HotspotsRequest(q()).unit == .grid && HotspotsRequest(q()).top == 10)
        // the first of two values counts, as in Hummingbird's Parameters.get
        #expect(try LookupRequest(q(("lon", "1"), ("lon", "2"), ("lat", "3"))).spot == Coordinate(1, 3))
    }

    @Test func itemsPaging() throws {
        let r = try ItemsRequest(q(("limit", " 50000 "), ("offset", "20"), ("bbox", "24.9,60.1,0,25,60.2,100")), defaultLimit: 10, maximumLimit: 1000)
        #expect(r.limit == 1000 && r.offset == 20)  // clamped to the maximum
        #expect(r.bbox == Envelope(minX: 24.9, minY: 60.1, maxX: 25, maxY: 60.2))  // the heights dropped
        #expect(try ItemsRequest(q(), defaultLimit: 10, maximumLimit: 1000) == ItemsRequest(limit: 10, offset: 0))
    }

    @Test(arguments: [
        ([("lat", "60")], "lon: missing"),
        ([("lon", ""), ("lat", "60")], "lon: missing"),
        ([("lon", "abc"), ("lat", "60")], "lon: 'abc' is not a number"),
        ([("lon", "inf"), ("lat", "60")], "lon: 'inf' is not a number"),
        ([("lon", "200"), ("lat", "60")], "lon/lat: (200.0, 60.0) is not a WGS84 longitude/latitude (−180…180, −90…90)"),
        ([("lon", "1"), ("lat", "2"), ("k", "99999999999999999999")], "k: '99999999999999999999' is not an integer"),
    ])
    func badSpots(_ c: ([(String, String)], String)) {
        let params = RequestParameters(c.0.map { (name: $0.0, value: $0.1) })
        #expect(throws: ParameterError.self) { try NearestStationsRequest(params) }
        do { _ = try NearestStationsRequest(params) } catch { #expect(error.description == c.1) }
    }

    @Test func badItemsAndHazards() {
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        #expect(message { _ = try ItemsRequest(q(("limit", "0")), defaultLimit: 10, maximumLimit: 100) } == "limit: 0: must be at least 1")
        #expect(message { _ = try ItemsRequest(q(("offset", "-1")), defaultLimit: 10, maximumLimit: 100) } == "offset: '-1' is not a non-negative integer")
        #expect(message { _ = try ItemsRequest(q(("bbox", "25,60,24,61")), defaultLimit: 10, maximumLimit: 100) }
                == "bbox: '25,60,24,61': need -180 ≤ W ≤ E ≤ 180 and -90 ≤ S ≤ N ≤ 90 (lon/lat degrees, west,south,east,north)")
        #expect(message { _ = try HazardsRequest(q(("near", "1,2"), ("in_grid", "x"))) }.hasPrefix("near/along/in_grid: give one of"))
        #expect(message { _ = try HazardsRequest(q(("near", "116.39"), ("radius", "5"))) }
                == "near: '116.39' is not LON,LAT (WGS84 degrees, e.g. 24.94,60.17)")
    }
}
