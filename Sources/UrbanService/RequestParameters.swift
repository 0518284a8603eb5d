import Hummingbird

/// The query parameters every route accepts, checked before a route reads any: a parameter the route does not
/// define, or one given twice, is refused with 400 and a message naming it and the ones the route takes
/// (OGC API – Features Part 1, requirement 8 `/req/core/query-param-unknown`; the query routes follow the same rule,
/// so that a misspelt filter such as `clas=01` is an error instead of a silently unfiltered answer).
enum RequestParameters {
    /// The routes' parameters, by route (as registered, path parameters in braces).
    static let allowed: [String: [String]] = [
        "/": ["f"],
        "/api": ["f"],
        "/conformance": ["f"],
        "/collections": ["f"],
        "/collections/{collectionId}": ["f"],
        "/collections/{collectionId}/items": ["f", "bbox", "bbox-crs", "limit", "offset", "datetime"],
        "/collections/{collectionId}/items/{featureId}": ["f"],
        "/lookup": ["lon", "lat"],
        "/vendor/check": ["lon", "lat", "at"],
        "/vendor/open": ["at", "near", "radius", "open_only"],
        "/hazards": ["near", "radius", "along", "buffer", "in_grid", "class", "status", "f"],
        "/hazards/hotspots": ["by", "top"],
        "/stations/nearest": ["lon", "lat", "k", "network"],
    ]

    /// Throws `ServiceError.badParameter` for a parameter `route` does not take or one given more than once.
    static func check(_ request: Request, route: String) throws {
        guard let names = allowed[route] else { preconditionFailure("no parameter list for route \(route)") }
        var seen: Set<Substring> = []
        for (name, _) in request.uri.queryParameters {
            guard names.contains(where: { $0 == name }) else {
                throw ServiceError.badParameter(
                    String(name.prefix(100)), "unknown parameter for \(route); it takes " + (names.isEmpty ? "none" : names.joined(separator: ", ")))
            }
            guard seen.insert(name).inserted else {
                throw ServiceError.badParameter(String(name), "given more than once")
            }
        }
    }

    /// The response format `f`, when given: one of `formats` (the first is the default), else 400.
    static func format(_ request: Request, _ formats: [String]) throws -> String? {
        guard let f = request.uri.queryParameters.get("f") else { return nil }
        guard formats.contains(f) else {
            throw ServiceError.badParameter("f", "'\(f.prefix(100))' is not offered here; one of " + formats.joined(separator: ", "))
        }
        return f
    }
}
