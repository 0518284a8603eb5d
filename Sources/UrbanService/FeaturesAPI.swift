import Foundation
import Hummingbird
import SpatialCore
import UrbanModel
import UrbanStore
import Export

/// OGC API – Features – Part 1: Core over every layer of the database (OGC 17-069r4): the landing page (JSON;
/// `/` answers HTML to browsers, see `MapPage`), `/api` (OpenAPI 3.0), `/conformance`, `/collections`,
/// `/collections/{id}`, `/collections/{id}/items` (bbox, limit, offset; GeoJSON) and
/// `/collections/{id}/items/{featureId}`. Features are encoded exactly as `urbangrid-export` writes GeoJSON
/// (RFC 7946: lon/lat, counter-clockwise exteriors, 7 decimals, typed properties). Read-only; no request text
/// ever becomes SQL (the export's `--where` path is not reachable from here).
struct FeaturesAPI: Sendable {
    let service: UrbanGridService

    static let crs84 = ItemsRequest.crs84
    static let conformance = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ]
    static let geoJSON = "application/geo+json"
    static let openAPIType = "application/vnd.oai.openapi+json;version=3.0"

    func register(on router: Router<ServiceRequestContext>) {
        // every route first refuses parameters it does not define (400), then answers
        router.get("/api") { request, _ in
            try Self.accept(request, "/api")
            return try Self.json(OpenAPIDocument.make(self.service.configuration, base: Self.base(request)), type: Self.openAPIType)
        }
        router.get("/conformance") { request, _ in
            try Self.accept(request, "/conformance")
            return try Self.json(["conformsTo": .array(Self.conformance.map { .string($0) })])
        }
        router.get("/collections") { request, _ in
            try Self.accept(request, "/collections")
            return try await self.collections(request)
        }
        router.get("/collections/{collectionId}") { request, context in
            try Self.accept(request, "/collections/{collectionId}")
            return try await self.collection(request, context)
        }
        router.get("/collections/{collectionId}/items") { request, context in
            try await self.items(request, context)  // ItemsRequest checks the parameters
        }
        router.get("/collections/{collectionId}/items/{featureId}") { request, context in
            try Self.accept(request, "/collections/{collectionId}/items/{featureId}", formats: ["json", "geojson"])
            return try await self.feature(request, context)
        }
    }

    /// Refuses (400) a parameter the route does not define, one given twice, or an `f` other than `formats`.
    static func accept(_ request: Request, _ route: String, formats: [String] = ["json"]) throws {
        let q = UrbanGridService.parameters(request)
        try q.check(route: route)
        _ = try q.format(formats)
    }

    // MARK: Landing page, collections

    func landingPage(_ request: Request) throws -> Response {
        let base = Self.base(request)
        return try Self.json([
            "title": "UrbanGrid",
            "description": "City urban-management layers (grids, streets, vendor zones, hazards, stations…) as OGC API – Features, read-only.",
            "links": [
                Self.link(base + "/?f=json", "self", "application/json", "This document"),
                Self.link(base + "/", "alternate", "text/html", "The map"),
                Self.link(base + "/api", "service-desc", Self.openAPIType, "The API definition (OpenAPI 3.0)"),
                Self.link(base + "/conformance", "conformance", "application/json", "Conformance classes"),
                Self.link(base + "/collections", "data", "application/json", "The layers"),
            ],
        ])
    }

    func collections(_ request: Request) async throws -> Response {
        let base = Self.base(request)
        let extents = try await service.pool.read(timeLimit: service.configuration.requestTimeLimit) { db in
            try UrbanModel.Layer.allCases.map { try db.extent($0) }
        }
        let collections = zip(UrbanModel.Layer.allCases, extents).map { Self.collectionObject($0, extent: $1, base: base) }
        return try Self.json([
            "links": [
                Self.link(base + "/collections", "self", "application/json", "The layers"),
                Self.link(base + "/?f=json", "root", "application/json", "The landing page"),
            ],
            "collections": .array(collections),
        ])
    }

    func collection(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let layer = try Self.layer(context)
        let extent = try await service.pool.read(timeLimit: service.configuration.requestTimeLimit) { db in try db.extent(layer) }
        return try Self.json(Self.collectionObject(layer, extent: extent, base: Self.base(request)))
    }

    static func collectionObject(_ layer: UrbanModel.Layer, extent: Envelope?, base: String) -> JSONValue {
        let url = base + "/collections/" + layer.rawValue
        let schema = LayerSchema.of(layer)
        var o: JSONObject = [
            "id": .string(layer.rawValue),
            "title": .string(layer.rawValue),
            "description": .string(description(layer)),
            "itemType": "feature",
            "crs": [.string(crs84)],
            "links": [
                link(url, "self", "application/json", "This collection"),
                link(url + "/items", "items", geoJSON, "The features (GeoJSON)"),
            ],
        ]
        if let e = extent {
            o["extent"] = ["spatial": ["bbox": [[.number(e.minX), .number(e.minY), .number(e.maxX), .number(e.maxY)]], "crs": .string(crs84)]]
        } else if schema.geometry == .none {
            o["description"] = .string(description(layer) + " No geometry: features have \"geometry\": null.")
        }
        return .object(o)
    }

    static func description(_ layer: UrbanModel.Layer) -> String {
        switch layer {
        case .admin: "Administrative divisions: districts, streets (街道) and communities with their codes."
        case .streets: "Street segments, noded, with class, direction and length in metres."
        case .vendorZones: "Vendor zones with their kind, capacity and opening hours."
        case .hazards: "Hazards with kind (component 部件 or event 事件), class code and Chinese class name, severity, status, snapped street segment and grid cell."
        case .stations: "Service stations."
        case .pois: "Points of interest (schools, hospitals, markets…)."
        case .demand: "Demand points with their weight."
        case .chiefs: "Grid chiefs (网格长) and the grids or segments they answer for."
        case .grids: "Unit grid cells (单元网格) with their 15-digit codes and areas in square metres."
        }
    }

    // MARK: Items

    typealias ItemsQuery = ItemsRequest

    func itemsQuery(_ request: Request) throws -> ItemsRequest {
        try ItemsRequest(UrbanGridService.parameters(request), defaultLimit: service.configuration.defaultLimit,
                         maximumLimit: service.configuration.maximumLimit)
    }

    func items(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let query = try itemsQuery(request)
        let layer = try Self.layer(context)
        let itemsURL = Self.base(request) + "/collections/" + layer.rawValue + "/items"
        let bytes = try await service.pool.read(timeLimit: service.configuration.requestTimeLimit) { db -> [UInt8] in
            let filter = LayerFilter(bbox: query.bbox, limit: query.limit, offset: query.offset, time: query.time)
            let reader: LayerReader
            do {
                reader = try LayerReader(db, layer: layer, filter: filter)
            } catch ModelError.invalidArgument(let name, let reason) {
                throw ServiceError.badParameter(name, reason)
            }
            let matched = try reader.count()
            let encoder = FeatureGeoJSONEncoder(reader: reader, precision: 7)
            var out: [UInt8] = []
            out.reserveCapacity(1 << 16)
            out.append(contentsOf: #"{"type":"FeatureCollection","features":["#.utf8)
            var returned = 0
            try reader.forEachRow(rawJSON: true) { row in
                if returned > 0 { out.append(0x2C) }
                out.append(0x0A)
                encoder.append(row, geometry: row.geometry?.orientedRFC7946(), to: &out)
                returned += 1
            }
            var links: [JSONValue] = [
                Self.link(Self.page(itemsURL, query, offset: query.offset), "self", Self.geoJSON, "This page"),
                Self.link(String(itemsURL.dropLast("/items".count)), "collection", "application/json", "The collection"),
            ]
            if query.offset + returned < matched {
                links.append(Self.link(Self.page(itemsURL, query, offset: query.offset + returned), "next", Self.geoJSON, "Next page"))
            }
            if query.offset > 0 {
                links.append(Self.link(Self.page(itemsURL, query, offset: max(0, query.offset - query.limit)), "prev", Self.geoJSON, "Previous page"))
            }
            let tail: JSONObject = [
                "numberMatched": .int(Int64(matched)),
                "numberReturned": .int(Int64(returned)),
                "timeStamp": .string(Self.timeStamp()),
                "links": .array(links),
            ]
            out.append(contentsOf: "\n]".utf8)
            for m in tail.members {
                out.append(0x2C)
                out.append(contentsOf: JSONText.quoted(m.key))
                out.append(0x3A)
                m.value.appendJSON(to: &out)
            }
            out.append(0x7D)
            return out
        }
        return Self.bytes(bytes, type: Self.geoJSON)
    }

    func feature(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let layer = try Self.layer(context)
        let raw = try context.parameters.require("featureId")
        let id = FeatureRequest.featureID(raw)
        let collectionURL = Self.base(request) + "/collections/" + layer.rawValue
        var members: [UInt8] = Array(#","links":"#.utf8)
        JSONValue.array([
            Self.link(collectionURL + "/items/" + Self.escape(id), "self", Self.geoJSON, "This feature"),
            Self.link(collectionURL, "collection", "application/json", "The collection"),
        ]).appendJSON(to: &members)
        let body = try await service.pool.read(timeLimit: service.configuration.requestTimeLimit) { [members] db -> [UInt8]? in
            let reader = try LayerReader(db, layer: layer, filter: LayerFilter(featureID: id))
            let encoder = FeatureGeoJSONEncoder(reader: reader, precision: 7)
            var out: [UInt8]?
            try reader.forEachRow(rawJSON: true) { row in
                var text: [UInt8] = []
                encoder.append(row, geometry: row.geometry?.orientedRFC7946(), members: members, to: &text)
                out = text
            }
            return out
        }
        guard let body else { throw ServiceError.notFound("no feature '\(id)' in collection \(layer.rawValue)") }
        return Self.bytes(body, type: Self.geoJSON)
    }

    // MARK: Helpers

    static func layer(_ context: ServiceRequestContext) throws -> UrbanModel.Layer {
        let id = try context.parameters.require("collectionId")
        guard let layer = UrbanModel.Layer(rawValue: id) else {
            throw ServiceError.notFound("no collection '\(id)': the collections are "
                + UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return layer
    }

    /// `http://host:port` as the client addressed us (the Host header), so links work through any name.
    static func base(_ request: Request) -> String {
        "http://" + (request.head.authority ?? "localhost")
    }

    static func page(_ itemsURL: String, _ q: ItemsQuery, offset: Int) -> String {
        var s = itemsURL + "?limit=\(q.limit)&offset=\(offset)"
        if let b = q.bboxText { s += "&bbox=" + escape(b) }
        if let d = q.datetimeText { s += "&datetime=" + escape(d) }
        return s
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#?/")
        allowed.insert(",")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    static func link(_ href: String, _ rel: String, _ type: String, _ title: String) -> JSONValue {
        ["href": .string(href), "rel": .string(rel), "type": .string(type), "title": .string(title)]
    }

    static func timeStamp() -> String {
        Date.now.formatted(.iso8601)
    }

    static func json(_ value: JSONValue, type: String = "application/json") throws -> Response {
        var out: [UInt8] = []
        value.appendJSON(to: &out)
        return bytes(out, type: type)
    }

    static func bytes(_ out: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}
