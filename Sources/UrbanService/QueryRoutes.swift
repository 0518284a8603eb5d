import Foundation
import Hummingbird
import SpatialCore
import UrbanModel

// The query routes: the JSON answers of `urbangrid lookup`, `vendor check`, `vendor open`, `hazards`,
// `hazards hotspots` and `stations nearest`, with the same keys and errors (bad parameters 400 with the message,
// unknown segment or grid 404). Each runs on a `CityQueries` of the service's `QueryPool`, warm from the start.

extension UrbanGridService {
    func addQueryRoutes(to router: Router<ServiceRequestContext>) {
        let limit = configuration.requestTimeLimit
        let pool = self.queries

        // GET /lookup?lon=X&lat=Y
        router.get("/lookup") { request, _ -> Response in
            try RequestParameters.check(request, route: "/lookup")
            let q = request.uri.queryParameters
            let (lon, lat) = (try Self.number(q, "lon"), try Self.number(q, "lat"))
            let bytes = try await pool.query(timeLimit: limit) { (c: CityQueries) -> [UInt8] in
                var out: [UInt8] = []
                try c.lookup(lon: lon, lat: lat).appendJSON(to: &out)
                return out
            }
            return Self.bytes(bytes, type: "application/json")
        }

        // GET /vendor/check?lon=X&lat=Y&at=TIME
        router.get("/vendor/check") { request, _ -> Response in
            try RequestParameters.check(request, route: "/vendor/check")
            let q = request.uri.queryParameters
            let (lon, lat, at) = (try Self.number(q, "lon"), try Self.number(q, "lat"), try Self.text(q, "at"))
            let json = try await pool.query(timeLimit: limit) { c in try c.vendorCheck(lon: lon, lat: lat, at: try c.parseTime(at)).json }
            return try Self.json(json)
        }

        // GET /vendor/open?at=TIME[&near=LON,LAT&radius=M][&open_only=true]: every zone with its state (the map colours them)
        router.get("/vendor/open") { request, _ -> Response in
            try RequestParameters.check(request, route: "/vendor/open")
            let q = request.uri.queryParameters
            let at = try Self.text(q, "at")
            let near = try q.get("near").map { try CityQueries.parseLonLat($0, field: "near") }
            let radius = try q.get("radius").map { _ in try Self.number(q, "radius") }
            if radius != nil && near == nil { throw ServiceError.badParameter("radius", "needs near=LON,LAT") }
            let openOnly = try Self.flag(q, "open_only")
            let json = try await pool.query(timeLimit: limit) { (c: CityQueries) -> JSONValue in
                let date = try c.parseTime(at)
                let zones = try c.vendorZones(at: date, near: near, radiusMetres: radius).filter { !openOnly || $0.open }
                return .object(["at": .string(c.isoTime(date)), "zones": .array(zones.map(\.json))])
            }
            return try Self.json(json)
        }

        // GET /hazards?near=LON,LAT&radius=M | along=SEGMENT&buffer=M | in_grid=CODE [&class=CODE][&status=open][&f=geojson]
        router.get("/hazards") { request, _ -> Response in
            try RequestParameters.check(request, route: "/hazards")
            let q = request.uri.queryParameters
            let area: HazardArea
            switch (q.get("near"), q.get("along"), q.get("in_grid")) {
            case (let near?, nil, nil): area = .near(try CityQueries.parseLonLat(near, field: "near"), radiusMetres: try Self.number(q, "radius"))
            case (nil, let along?, nil): area = .along(segmentID: along, bufferMetres: try Self.number(q, "buffer"))
            case (nil, nil, let grid?): area = .inGrid(code: grid)
            default: throw ServiceError.badParameter("near/along/in_grid", "give one of near=LON,LAT&radius=M, along=SEGMENT_ID&buffer=M, in_grid=CODE")
            }
            let classCode = q.get("class"), status = q.get("status")
            let geojson = try RequestParameters.format(request, ["json", "geojson"]) == "geojson"
            let bytes = try await pool.query(timeLimit: limit) { (c: CityQueries) -> [UInt8] in
                let hits: [HazardHit]
                do {
                    hits = try c.hazards(in: area, classPrefix: classCode, status: status)
                } catch ModelError.invalidArgument(let name, let reason) where name == "along" || name == "in-grid" {
                    throw ServiceError.notFound(reason)
                }
                let text = geojson ? FeatureCollection(hits.map(\.feature)).geoJSON(precision: 7) : JSONValue.array(hits.map(\.json)).jsonText
                return Array(text.utf8)
            }
            return Self.bytes(bytes, type: geojson ? "application/geo+json" : "application/json")
        }

        // GET /hazards/hotspots?by=grid|segment|community&top=N
        router.get("/hazards/hotspots") { request, _ -> Response in
            try RequestParameters.check(request, route: "/hazards/hotspots")
            let q = request.uri.queryParameters
            let by = q.get("by") ?? "grid"
            guard let unit = HazardHotspot.Unit(rawValue: by) else {
                throw ServiceError.badParameter("by", "'\(by)' is not one of grid, segment, community")
            }
            let top = try q.get("top").map { _ in try Self.integer(q, "top") } ?? 10
            let json = try await pool.query(timeLimit: limit) { c in JSONValue.array(try c.hotspots(by: unit, top: top).map(\.json)) }
            return try Self.json(json)
        }

        // GET /stations/nearest?lon=X&lat=Y[&k=N][&network=walk|drive]
        router.get("/stations/nearest") { request, _ -> Response in
            try RequestParameters.check(request, route: "/stations/nearest")
            let q = request.uri.queryParameters
            let (lon, lat) = (try Self.number(q, "lon"), try Self.number(q, "lat"))
            let k = try q.get("k").map { _ in try Self.integer(q, "k") } ?? 1
            let network = try q.get("network").map { text in
                guard let mode = TravelMode(rawValue: text) else { throw ServiceError.badParameter("network", "'\(text)' is not walk or drive") }
                return mode
            }
            let json = try await pool.query(timeLimit: limit) { c in
                JSONValue.array(try c.nearestStations(lon: lon, lat: lat, k: k, network: network).map(\.json))
            }
            return try Self.json(json)
        }
    }

    static func text(_ q: Parameters, _ name: String) throws -> String {
        guard let v = q.get(name), !v.isEmpty else { throw ServiceError.badParameter(name, "missing") }
        return v
    }

    static func number(_ q: Parameters, _ name: String) throws -> Double {
        let t = try text(q, name)
        guard let v = NumberText.decimal(t.trimmingCharacters(in: .whitespaces)) else { throw ServiceError.badParameter(name, "'\(t)' is not a number") }
        return v
    }

    /// `true` or `false`; absent: false.
    static func flag(_ q: Parameters, _ name: String) throws -> Bool {
        guard let t = q.get(name) else { return false }
        guard let v = Bool(t) else { throw ServiceError.badParameter(name, "'\(t)' is not true or false") }
        return v
    }

    static func integer(_ q: Parameters, _ name: String) throws -> Int {
        let t = try text(q, name)
        guard let v = Int(t) else { throw ServiceError.badParameter(name, "'\(t)' is not an integer") }
        return v
    }
}
