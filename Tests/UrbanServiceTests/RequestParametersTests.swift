import Foundation
import SpatialCore
import Testing
@testable import UrbanService
import UrbanModel

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
        #expect(try NearestStationsRequest(q(("lat", "60.1"), ("lon", "24.9"), ("network", "walk"))).network == .walk)
        #expect(try VendorOpenRequest(q(("at", "2026-11-20T08:00"))).openOnly == false)
        let items = try ItemsRequest(q(("datetime", "2026-11-01T00:00:00Z/..")), defaultLimit: 10, maximumLimit: 1000)
        #expect(items.time?.start?.timeIntervalSince1970 == 1_793_491_200 && items.time?.end == nil)  // 20,758 days × 86,400 s
    }

    /// Numbers may carry tabs and space separators around them, as Foundation's `.whitespaces` trims; nothing else.
    @Test func numbersAreTrimmedOfSpacesOnly() throws {
        for (text, foundation) in [" 24.9", "24.9\t", "\u{00A0}24.9\u{3000}", "\t \u{2009}24.9 "].map({ ($0, $0.trimmingCharacters(in: .whitespaces)) }) {
            #expect(RequestParameters.trimmingSpaces(text) == Substring(foundation))
            #expect(try LookupRequest(q(("lon", text), ("lat", "60.1"))).spot == Coordinate(24.9, 60.1))
        }
        #expect(RequestParameters.trimmingSpaces("   ") == "" && RequestParameters.trimmingSpaces("") == "")
        #expect(throws: ParameterError.self) { try LookupRequest(q(("lon", "24.9\n"), ("lat", "60.1"))) }  // a newline is not a space
    }

    /// A parameter a route does not define, or one given twice, is refused (OGC API – Features
    /// `/req/core/query-param-unknown`); so is an `f` the route does not offer.
    @Test(arguments: [
        ([("lon", "1"), ("lon", "2"), ("lat", "3")], "lon: given more than once"),
        ([("lon", "1"), ("lat", "3"), ("clas", "01")], "clas: unknown parameter for /lookup; it takes lon, lat, crs, at"),
    ])
    func unknownOrRepeated(_ c: ([(String, String)], String)) {
        let params = RequestParameters(c.0.map { (name: $0.0, value: $0.1) })
        do { _ = try LookupRequest(params); Issue.record("accepted") } catch { #expect(error.description == c.1) }
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
        #expect(message { _ = try HazardsRequest(q(("in_grid", "x"), ("f", "csv"))) } == "f: 'csv' is not offered here; one of json, geojson")
        #expect(message { _ = try VendorOpenRequest(q(("at", "2026-11-20T08:00"), ("radius", "5"))) } == "radius: needs near=LON,LAT")
        #expect(message { _ = try VendorOpenRequest(q(("at", "2026-11-20T08:00"), ("open_only", "yes"))) } == "open_only: 'yes' is not true or false")
        #expect(message { _ = try NearestStationsRequest(q(("lon", "1"), ("lat", "2"), ("network", "bike"))) } == "network: 'bike' is not walk or drive")
        #expect(message { _ = try ItemsRequest(q(("datetime", "2026-11-02T00:00:00Z/2026-11-01T00:00:00Z")), defaultLimit: 10, maximumLimit: 100) }
                == "datetime: '2026-11-02T00:00:00Z/2026-11-01T00:00:00Z': the interval ends before it starts")
        #expect(message { _ = try ItemsRequest(q(("bbox", "24,60,x,25,61,0")), defaultLimit: 10, maximumLimit: 100) }
                == "bbox: '24,60,x,25,61,0': the height 'x' is not a number")
    }
}
