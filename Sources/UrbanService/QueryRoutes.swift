import Foundation
import Hummingbird
import HummingbirdCore
import SpatialCore
import UrbanModel

// The query routes: the JSON answers of `urbangrid lookup`, `vendor check`, `vendor open`, `hazards`,
// `hazards hotspots` and `stations nearest`, with the same keys and errors (bad parameters 400 with the message,
// unknown segment or grid 404). Each runs on a `QueryWorker` of the service's `QueryPool`, warm from the start.

extension UrbanGridService {
    func addQueryRoutes(to router: Router<ServiceRequestContext>) {
        let limit = configuration.requestTimeLimit
        let pool = self.queries

        // GET /lookup?lon=X&lat=Y[&at=TIME]
        router.get("/lookup") { request, _ -> Response in
            let r = try LookupRequest(Self.parameters(request))
            let bytes = try await pool.query(timeLimit: limit) { (w: QueryWorker) -> [UInt8] in try w.lookupJSON(r) }
            return Self.bytes(bytes, type: "application/json")
        }

        // GET /vendor/check?lon=X&lat=Y&at=TIME
        router.get("/vendor/check") { request, _ -> Response in
            let r = try VendorCheckRequest(Self.parameters(request))
            let json = try await pool.query(timeLimit: limit) { (w: QueryWorker) -> JSONValue in
                let json = try w.vendor.vendorCheck(lon: r.spot.x, lat: r.spot.y, at: try w.frame.parseTime(r.at)).json
                let warnings = SpotWarnings.forSpot(r.spot, field: "lon/lat", extent: w.frame.extent)
                guard !warnings.isEmpty, case .object(var o) = json else { return json }
                o["warnings"] = .array(warnings.map(JSONValue.string))
                return .object(o)
            }
            return try Self.json(json)
        }

        // GET /vendor/open?at=TIME[&near=LON,LAT&radius=M][&open_only=true]: every zone with its state (the map colours them)
        router.get("/vendor/open") { request, _ -> Response in
            let r = try VendorOpenRequest(Self.parameters(request))
            let json = try await pool.query(timeLimit: limit) { (w: QueryWorker) -> JSONValue in
                let date = try w.frame.parseTime(r.at)
                let zones = try w.vendor.vendorZones(at: date, near: r.near, radiusMetres: r.radiusMetres).filter { !r.openOnly || $0.open }
                return .object(["at": .string(w.frame.isoTime(date)), "zones": .array(zones.map(\.json))])
            }
            return try Self.json(json)
        }

        // GET /hazards?near=LON,LAT&radius=M | along=SEGMENT&buffer=M | in_grid=CODE [&class=CODE][&kind=component|event][&status=open]
        //   [&min_severity=GRADE][&f=geojson]
        router.get("/hazards") { request, _ -> Response in
            let r = try HazardsRequest(Self.parameters(request))
            let (area, classCode, kind, status, minSeverity, geojson) = (r.area, r.classCode, r.kind, r.status, r.minSeverity, r.geoJSON)
            let bytes = try await pool.query(timeLimit: limit) { (w: QueryWorker) -> [UInt8] in
                let hits: [HazardHit]
                do {
                    hits = try w.hazards.hazards(in: area, classPrefix: classCode, kind: kind, status: status, minSeverity: minSeverity)
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
            let r = try HotspotsRequest(Self.parameters(request))
            let json = try await pool.query(timeLimit: limit) { w in JSONValue.array(try HazardQueries.hotspots(w.store, by: r.unit, top: r.top).map(\.json)) }
            return try Self.json(json)
        }

        // GET /stations/nearest?lon=X&lat=Y[&k=N][&network=walk|drive]
        router.get("/stations/nearest") { request, _ -> Response in
            let r = try NearestStationsRequest(Self.parameters(request))
            let json = try await pool.query(timeLimit: limit) { w in
                JSONValue.array(try w.stations.nearestStations(lon: r.spot.x, lat: r.spot.y, k: r.k, network: r.network).map(\.json))
            }
            return try Self.json(json)
        }
    }

    /// The request's query parameters for the typed parsers of `RequestParameters`.
    static func parameters(_ request: Request) -> RequestParameters { parameters(request.uri) }

    static func parameters(_ uri: URI) -> RequestParameters {
        RequestParameters(uri.queryParameters.map { (name: String($0.key), value: String($0.value)) })
    }
}
