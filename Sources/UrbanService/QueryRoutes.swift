import Hummingbird

// The registration point for the query routes (`GET /lookup`, `/vendor/check`, `/vendor/open`, `/hazards…`,
// `/stations/nearest`, `/coverage`…), written on the query-library side. Add them here, in
// `addQueryRoutes(to:service:)`, which `buildRouter` calls after the OGC API routes. Conventions:
//
// * read on a pooled connection, within the time limit:
//       let result = try await service.pool.read(timeLimit: service.configuration.requestTimeLimit) { db in … }
//   (`db` is an `UrbanDatabase` of its own for the duration of the closure; return a Sendable value, e.g. the
//   JSON bytes, never the database or GEOS objects; build GEOS handles/prepared geometries inside the closure).
// * parameters: `request.uri.queryParameters.get("lon")`; parse numbers with `Double`; bad ones →
//   `throw ServiceError.badParameter("lon", "…")`.
// * errors: throw freely. `ErrorMiddleware` answers every error with `ServiceError(from:)`: ModelError and the
//   SpatialError bad-input cases → 400 `{"code","description"}`, `ServiceError.notFound("no grid …")` → 404,
//   the time limit → 503, anything else → 500 (details logged, not sent).
// * JSON answers: `UrbanGridService.json(_ value: JSONValue)` (or bytes with `UrbanGridService.bytes(_:type:)`),
//   with the keys of ../shared/reference/cli.md ("JSON keys that scripts rely on").
// * the map page already calls `GET /vendor/open?at=ISO8601` → `{"at":…, "zones":[{"zone_id":…, "open":…,
//   "closes_at":…|null, "opens_at":…|null}]}` and `GET /lookup?lon=X&lat=Y` → `{grid_code, community_code,
//   street_code, district_code, chief, segment_id, segment_distance_m}`.

extension UrbanGridService {
    /// Adds the query routes to the router. Nothing yet: see the comment above.
    func addQueryRoutes(to router: Router<ServiceRequestContext>) {
        _ = router
    }
}
