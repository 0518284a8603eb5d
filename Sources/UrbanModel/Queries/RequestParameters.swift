public import Foundation
public import SpatialCore

/// A request parameter that cannot be used: the service answers 400 with `name: reason`.
public struct ParameterError: Error, Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var reason: String

    public init(_ name: String, _ reason: String) {
        self.name = name
        self.reason = reason
    }

    public var description: String { "\(name): \(reason)" }
}

/// The query parameters of a service request, already percent-decoded, in order; a name given twice counts
/// with its first value (as Hummingbird's `Parameters.get` reads it). The parsers below turn them into the
/// typed requests of the query routes and the OGC API items route. The routes call exactly these, so the
/// `http-params` fuzz target runs the code that is served; they need no database and throw only
/// `ParameterError`.
public struct RequestParameters: Sendable {
    public var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)]) { self.pairs = pairs }

    /// The first value of `name`, nil when absent.
    public func get(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// A value that must be there and not be empty.
    public func text(_ name: String) throws(ParameterError) -> String {
        guard let v = get(name), !v.isEmpty else { throw ParameterError(name, "missing") }
        return v
    }

    /// A finite number.
    public func number(_ name: String) throws(ParameterError) -> Double {
        let t = try text(name)
        guard let v = Double(t), v.isFinite else { throw ParameterError(name, "'\(t)' is not a number") }
        return v
    }

    /// An integer (Int's range).
    public func integer(_ name: String) throws(ParameterError) -> Int {
        let t = try text(name)
        guard let v = Int(t) else { throw ParameterError(name, "'\(t)' is not an integer") }
        return v
    }

    /// `lon` and `lat` as WGS84 degrees, in range.
    func spot() throws(ParameterError) -> Coordinate {
        let (lon, lat) = (try number("lon"), try number("lat"))
        do { try CityQueries.checkCoordinate(lon: lon, lat: lat) } catch { throw Self.parameterError(error) }
        return Coordinate(lon, lat)
    }

    /// `LON,LAT` in the parameter `name`.
    func lonLat(_ name: String) throws(ParameterError) -> Coordinate {
        let t = try text(name)
        do { return try CityQueries.parseLonLat(t, field: name) } catch { throw Self.parameterError(error) }
    }

    /// A domain error of argument parsing as a parameter error (`name: reason`).
    static func parameterError(_ error: any Error) -> ParameterError {
        if case ModelError.invalidArgument(let name, let reason) = error { return ParameterError(name, reason) }
        return ParameterError("parameters", "\(error)")
    }
}

// MARK: - The typed requests

/// `GET /lookup?lon=X&lat=Y`.
public struct LookupRequest: Sendable, Hashable {
    public var spot: Coordinate

    public init(_ q: RequestParameters) throws(ParameterError) { spot = try q.spot() }
}

/// `GET /vendor/check?lon=X&lat=Y&at=TIME`. The time stays text: it is read in the database's zone
/// (`CityQueries.parseTime`).
public struct VendorCheckRequest: Sendable, Hashable {
    public var spot: Coordinate
    public var at: String

    public init(_ q: RequestParameters) throws(ParameterError) {
        spot = try q.spot()
        at = try q.text("at")
    }
}

/// `GET /vendor/open?at=TIME[&near=LON,LAT&radius=M][&open_only=true]`.
public struct VendorOpenRequest: Sendable, Hashable {
    public var at: String
    public var near: Coordinate?
    public var radiusMetres: Double?
    public var openOnly: Bool

    public init(_ q: RequestParameters) throws(ParameterError) {
        at = try q.text("at")
        near = q.get("near") == nil ? nil : try q.lonLat("near")
        radiusMetres = q.get("radius") == nil ? nil : try q.number("radius")
        openOnly = q.get("open_only") == "true"
    }
}

/// `GET /hazards?near=LON,LAT&radius=M | along=SEGMENT&buffer=M | in_grid=CODE [&class=CODE][&status=open][&f=geojson]`.
public struct HazardsRequest: Sendable, Hashable {
    public var area: HazardArea
    public var classCode: String?
    public var status: String?
    public var geoJSON: Bool

    public init(_ q: RequestParameters) throws(ParameterError) {
        switch (q.get("near"), q.get("along"), q.get("in_grid")) {
        case (.some, nil, nil): area = .near(try q.lonLat("near"), radiusMetres: try q.number("radius"))
        case (nil, let along?, nil): area = .along(segmentID: along, bufferMetres: try q.number("buffer"))
        case (nil, nil, let grid?): area = .inGrid(code: grid)
        default:
            throw ParameterError("near/along/in_grid", "give one of near=LON,LAT&radius=M, along=SEGMENT_ID&buffer=M, in_grid=CODE")
        }
        classCode = q.get("class")
        status = q.get("status")
        geoJSON = q.get("f") == "geojson"
    }
}

/// `GET /hazards/hotspots?by=grid|segment|community&top=N`.
public struct HotspotsRequest: Sendable, Hashable {
    public var unit: HazardHotspot.Unit
    public var top: Int

    public init(_ q: RequestParameters) throws(ParameterError) {
        let by = q.get("by") ?? "grid"
        guard let unit = HazardHotspot.Unit(rawValue: by) else {
            throw ParameterError("by", "'\(by)' is not one of grid, segment, community")
        }
        self.unit = unit
        top = q.get("top") == nil ? 10 : try q.integer("top")
    }
}

/// `GET /stations/nearest?lon=X&lat=Y[&k=N]`.
public struct NearestStationsRequest: Sendable, Hashable {
    public var spot: Coordinate
    public var k: Int

    public init(_ q: RequestParameters) throws(ParameterError) {
        spot = try q.spot()
        k = q.get("k") == nil ? 1 : try q.integer("k")
        if let network = q.get("network") {
            throw ParameterError("network", "'\(network)': street-network distances are not available in this release")
        }
    }
}

/// `GET /collections/{id}/items?limit=N&offset=N&bbox=W,S,E,N[&bbox-crs=CRS84]` (OGC API – Features).
public struct ItemsRequest: Sendable, Hashable {
    /// The only bbox CRS offered (OGC API – Features Part 2 is not).
    public static let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

    public var limit: Int
    public var offset: Int
    public var bbox: Envelope?
    /// The bbox as the client sent it, for the paging links.
    public var bboxText: String?

    public init(limit: Int, offset: Int, bbox: Envelope? = nil, bboxText: String? = nil) {
        self.limit = limit
        self.offset = offset
        self.bbox = bbox
        self.bboxText = bboxText
    }

    /// - Parameters: defaultLimit, maximumLimit: the service's; a larger `limit` is clamped, not refused
    ///   (OGC API – Features issue 640).
    public init(_ q: RequestParameters, defaultLimit: Int, maximumLimit: Int) throws(ParameterError) {
        limit = defaultLimit
        if let text = q.get("limit") {
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ParameterError("limit", "'\(text)' is not an integer")
            }
            guard n >= 1 else { throw ParameterError("limit", "\(n): must be at least 1") }
            limit = min(n, maximumLimit)
        }
        offset = 0
        if let text = q.get("offset") {
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw ParameterError("offset", "'\(text)' is not a non-negative integer")
            }
            offset = n
        }
        if let crs = q.get("bbox-crs"), crs != Self.crs84 {
            throw ParameterError("bbox-crs", "'\(crs)': only \(Self.crs84) (OGC API – Features Part 2 is not offered)")
        }
        bboxText = q.get("bbox")
        if var text = bboxText {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            if parts.count == 6 {  // minx,miny,minz,maxx,maxy,maxz: the heights do not matter in 2D
                text = [parts[0], parts[1], parts[3], parts[4]].joined(separator: ",")
            }
            do { bbox = try LayerFilter.parseBBox(text) } catch { throw RequestParameters.parameterError(error) }
        }
    }
}

/// `GET /collections/{collectionId}/items/{featureId}`: the feature id as the route reads it.
public enum FeatureRequest {
    /// The path's feature id percent-decoded (kept as sent when it is not valid percent-encoding).
    public static func featureID(_ raw: String) -> String { raw.removingPercentEncoding ?? raw }
}
