import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SpatialCore
import Testing
import UrbanModel
import UrbanService

/// OGC API – Features – Part 1 routes in router test mode, against the hand-made `Fixture` database.
@Suite struct FeaturesAPITests {
    @Test func landingPageAsJSONWithFOrAccept() async throws {
        try await Fixture.withService { client in
            for (uri, headers) in [("/?f=json", HTTPFields()), ("/", [.accept: "application/json"] as HTTPFields)] {
                do {
                    let r = try await client.execute(uri: uri, method: .get, headers: headers)
                    #expect(r.status == .ok)
                    #expect(r.headers[.contentType] == "application/json")
                    let doc = try r.json
                    let rels = Set((doc["links"] as? [[String: Any]] ?? []).compactMap { $0["rel"] as? String })
                    #expect(rels.isSuperset(of: ["self", "service-desc", "conformance", "data"]), "\(rels)")
                    #expect(doc.link("data")?.hasSuffix("/collections") == true)
                }
            }
        }
    }

    @Test func landingPageIsTheMapForBrowsers() async throws {
        try await Fixture.withService { client in
            let browser: HTTPFields = [.accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]
            for headers in [browser, HTTPFields()] {
                do {
                    let r = try await client.execute(uri: "/", method: .get, headers: headers)
                    #expect(r.status == .ok)
                    #expect(r.headers[.contentType]?.hasPrefix("text/html") == true)
                    // Leaflet from us, the OGC items, and the two query routes of the contract
                    for needle in ["/static/leaflet/leaflet.js", "/static/leaflet/leaflet.css", "/items?limit=", "/vendor/open?at=", "/lookup?lon="] {
                        #expect(r.text.contains(needle), "\(needle)")
                    }
                    #expect(!r.text.contains("http://") && !r.text.contains("https://"), "no external URL: no CDN, no tiles")
                }
            }
            // the page's own documented parameters (its deep links, Tools/map-screenshot.sh) are taken, others refused
            let page = try await client.execute(uri: "/?at=2026-10-01T18:30&lookup=24.9384,60.1699", method: .get, headers: browser)
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true, "\(page.status) \(page.text.prefix(200))")
            let unknown = try await client.execute(uri: "/?zoom=3", method: .get, headers: browser)
            #expect(unknown.status == .badRequest)
        }
    }

    @Test func conformanceAndAPI() async throws {
        try await Fixture.withService { client in
            do {
                let r = try await client.execute(uri: "/conformance", method: .get)
                #expect(r.status == .ok)
                let classes = try #require(try r.json["conformsTo"] as? [String])
                let prefix = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
                #expect(Set(classes) == Set(["core", "geojson", "oas30"].map { prefix + $0 }))
            }
            do {
                let r = try await client.execute(uri: "/api", method: .get)
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("application/vnd.oai.openapi+json") == true)
                let doc = try r.json
                #expect((doc["openapi"] as? String)?.hasPrefix("3.0") == true)
                let paths = try #require(doc["paths"] as? [String: Any])
                #expect(paths["/collections/{collectionId}/items"] != nil && paths["/collections/{collectionId}/items/{featureId}"] != nil)
            }
        }
    }

    @Test func collectionsListEveryLayerWithItsExtent() async throws {
        try await Fixture.withService { client in
            do {
                let r = try await client.execute(uri: "/collections", method: .get)
                #expect(r.status == .ok)
                let list = try #require(try r.json["collections"] as? [[String: Any]])
                #expect(list.compactMap { $0["id"] as? String } == UrbanModel.Layer.allCases.map(\.rawValue))
                for c in list {
                    #expect(c["itemType"] as? String == "feature")
                    #expect(c.link("items")?.hasSuffix("/collections/\(c["id"]!)/items") == true)
                }
            }
            do {
                let r = try await client.execute(uri: "/collections/stations", method: .get)
                #expect(r.status == .ok)
                let c = try r.json
                #expect(c["id"] as? String == "stations")
                let extent = try #require(c["extent"] as? [String: Any])
                let spatial = try #require(extent["spatial"] as? [String: Any])
                #expect(spatial["crs"] as? String == "http://www.opengis.net/def/crs/OGC/1.3/CRS84")
                let bbox = try #require((spatial["bbox"] as? [[Double]])?.first)
                let expected = [Fixture.lon(0), Fixture.lat(0), Fixture.lon(Fixture.columns - 1), Fixture.lat(Fixture.rows - 1)]
                // the R*Tree's float boxes, rounded outwards
                for (got, want) in zip(bbox, expected) { #expect(abs(got - want) < 1e-4, "\(bbox) vs \(expected)") }
                #expect(bbox[0] <= expected[0] && bbox[1] <= expected[1] && bbox[2] >= expected[2] && bbox[3] >= expected[3])
            }
            // no geometry, no extent; nothing stored, no extent either
            for id in ["chiefs", "hazards"] {
                do {
                    let r = try await client.execute(uri: "/collections/\(id)", method: .get)
                    #expect(r.status == .ok)
                    #expect(try r.json["extent"] == nil)
                }
            }
        }
    }

    @Test func itemsPageWithDefaultLimitAndFollowNext() async throws {
        let total = Fixture.columns * Fixture.rows
        try await Fixture.withService { client in
            var ids: [String] = []
            var uri: String? = "/collections/stations/items"
            var pages = 0
            var sawPrev = false
            while let u = uri {
                do {
                    let r = try await client.execute(uri: u, method: .get)
                    #expect(r.status == .ok)
                    #expect(r.headers[.contentType] == "application/geo+json")
                    let page = try r.json
                    #expect(page["type"] as? String == "FeatureCollection")
                    #expect(page["numberMatched"] as? Int == total)
                    let features = try #require(page["features"] as? [[String: Any]])
                    #expect(page["numberReturned"] as? Int == features.count)
                    #expect(features.count == (pages == 0 ? 100 : total - 100))  // the default page is 100
                    #expect((page["timeStamp"] as? String)?.hasSuffix("Z") == true)
                    #expect(page.link("self") != nil)
                    if page.link("prev") != nil { sawPrev = true }
                    ids += features.compactMap { $0["id"] as? String }
                    uri = try page.link("next").map(pathAndQuery)
                }
                pages += 1
            }
            #expect(pages == 2 && sawPrev)
            // every station once, in storage order (the order imported)
            let expected = (0..<Fixture.rows).flatMap { j in (0..<Fixture.columns).map { i in "s\(i)-\(j)" } }
            #expect(ids == expected)
        }
    }

    @Test func limitAndOffset() async throws {
        try await Fixture.withService { client in
            do {
                let r = try await client.execute(uri: "/collections/stations/items?limit=7&offset=145", method: .get)
                let page = try r.json
                #expect(page["numberReturned"] as? Int == 5)  // 150 - 145
                #expect(page.link("next") == nil)
                let prev = try #require(page.link("prev"))
                #expect(prev.contains("offset=138") && prev.contains("limit=7"))
                let ids = (page["features"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(ids == (10..<15).map { "s\($0)-9" })
            }
            do {
                let r = try await client.execute(uri: "/collections/stations/items?limit=10&offset=1000", method: .get)
                let page = try r.json
                #expect(r.status == .ok && page["numberReturned"] as? Int == 0 && page["numberMatched"] as? Int == 150)
                #expect(page.link("next") == nil)
            }
        }
    }

    @Test func limitAboveTheMaximumIsClamped() async throws {
        try await Fixture.withService(Fixture.configuration(maximumLimit: 120)) { client in
            do {
                let r = try await client.execute(uri: "/collections/stations/items?limit=50000", method: .get)
                #expect(r.status == .ok)
                let page = try r.json
                #expect(page["numberReturned"] as? Int == 120)
                let next = try #require(page.link("next"))
                #expect(next.contains("limit=120") && next.contains("offset=120"))
            }
        }
    }

    @Test func bboxSelectsTheStationsInside() async throws {
        // lon 24.905…24.935 holds i = 1, 2, 3; lat 60.105…60.125 holds j = 1, 2; as GDAL writes it (17 digits)
        let bbox = "24.905000000000001,60.104999999999997,24.934999999999999,60.125"
        try await Fixture.withService { client in
            do {
                let r = try await client.execute(uri: "/collections/stations/items?bbox=\(bbox)&limit=3", method: .get)
                #expect(r.status == .ok)
                let page = try r.json
                #expect(page["numberMatched"] as? Int == 6)
                #expect(page["numberReturned"] as? Int == 3)
                let next = try #require(page.link("next"))
                #expect(next.contains("bbox=24.905000000000001,60.104999999999997"))
                do {
                    let r2 = try await client.execute(uri: pathAndQuery(next), method: .get)
                    let second = try r2.json
                    let ids = ((page["features"] as? [[String: Any]] ?? []) + (second["features"] as? [[String: Any]] ?? []))
                        .compactMap { $0["id"] as? String }
                    #expect(Set(ids) == Set(["s1-1", "s2-1", "s3-1", "s1-2", "s2-2", "s3-2"]))
                    #expect(second.link("next") == nil)
                }
            }
            // a 3D bbox: the heights are ignored
            do {
                let r = try await client.execute(uri: "/collections/stations/items?bbox=24.905,60.105,0,24.935,60.125,100", method: .get)
                #expect(try r.json["numberMatched"] as? Int == 6)
            }
        }
    }

    @Test func featureByID() async throws {
        try await Fixture.withService { client in
            do {
                let r = try await client.execute(uri: "/collections/stations/items/s3-2", method: .get)
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/geo+json")
                let f = try r.json
                #expect(f["type"] as? String == "Feature" && f["id"] as? String == "s3-2")
                let g = try #require(f["geometry"] as? [String: Any])
                #expect(g["type"] as? String == "Point")
                let c = try #require(g["coordinates"] as? [Double])
                #expect(abs(c[0] - Fixture.lon(3)) < 1e-9 && abs(c[1] - Fixture.lat(2)) < 1e-9)
                let p = try #require(f["properties"] as? [String: Any])
                #expect(p["name"] as? String == "Station 3 2" && p["capacity"] as? Int == 3)
                #expect(f.link("self")?.hasSuffix("/collections/stations/items/s3-2") == true)
                #expect(f.link("collection")?.hasSuffix("/collections/stations") == true)
            }
            // an id that looks like SQL is just an id that does not exist
            for uri in ["/collections/stations/items/nope", "/collections/stations/items/s1-1'%20OR%20'1'='1"] {
                do {
                    let r = try await client.execute(uri: uri, method: .get)
                    #expect(r.status == .notFound)
                    #expect(r.headers[.contentType] == "application/json")
                    #expect(try r.json["code"] as? String == "NotFound")
                    #expect(try (r.json["description"] as? String)?.isEmpty == false)
                }
            }
        }
    }

    @Test func itemsEncodeFeaturesAsTheExporterDoes() async throws {
        // the golden GeoJSON of the export tests, written by hand (Tests/CLITests/Golden/README.md)
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixture.root.appendingPathComponent("Tests/CLITests/Golden/vendor-zones.geojson"))) as! [String: Any]
        let expected = try JSONSerialization.data(withJSONObject: golden["features"]!, options: [.sortedKeys])
        try await Fixture.withService { client in
            do {
                let r = try await client.execute(uri: "/collections/vendor-zones/items", method: .get)
                let features = try #require(try r.json["features"])
                #expect(try JSONSerialization.data(withJSONObject: features, options: [.sortedKeys]) == expected)
            }
        }
    }

    @Test func layerWithoutGeometry() async throws {
        try await Fixture.withService { client in
            do {
                let r = try await client.execute(uri: "/collections/chiefs/items", method: .get)
                let page = try r.json
                #expect(page["numberMatched"] as? Int == 3)
                let features = page["features"] as? [[String: Any]] ?? []
                #expect(features.allSatisfy { $0["geometry"] is NSNull })
            }
            do {
                let r = try await client.execute(uri: "/collections/chiefs/items?bbox=0,0,1,1", method: .get)
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test(arguments: [
        ("/collections/stations/items?bbox=a,b,c,d", "bbox"),
        ("/collections/stations/items?bbox=24.9,60.1,25", "bbox"),
        ("/collections/stations/items?bbox=25,60.1,24.9,60.2", "bbox"),
        ("/collections/stations/items?bbox=24.9,61,25,60", "bbox"),
        ("/collections/stations/items?limit=ten", "limit"),
        ("/collections/stations/items?limit=2.5", "limit"),
        ("/collections/stations/items?limit=0", "limit"),
        ("/collections/stations/items?offset=-1", "offset"),
        ("/collections/stations/items?bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326&bbox=1,2,3,4", "bbox-crs"),
    ])
    func badParametersAre400(uri: String, parameter: String) async throws {
        try await Fixture.withService { client in
            do {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .badRequest)
                #expect(r.headers[.contentType] == "application/json")
                let e = try r.json
                #expect(e["code"] as? String == "InvalidParameterValue")
                #expect((e["description"] as? String)?.hasPrefix(parameter) == true, "\(e)")
            }
        }
    }

    @Test func unknownCollectionsAndRoutesAre404() async throws {
        try await Fixture.withService { client in
            for uri in ["/collections/roads", "/collections/roads/items", "/collections/roads/items/1", "/nowhere"] {
                do {
                    let r = try await client.execute(uri: uri, method: .get)
                    #expect(r.status == .notFound, "\(uri)")
                    #expect(try r.json["code"] as? String == "NotFound", "\(uri)")
                }
            }
        }
    }
}
