import Foundation
public import SpatialCore
public import UrbanModel

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

/// The query parameters of a service request, values percent-decoded, in order. The parsers below turn them into
/// the typed requests of the query routes and the OGC API items route. The routes call exactly these, so the
/// `http-params` fuzz target runs the code that is served; they need no database and throw only `ParameterError`.
///
/// Every typed request first calls `check(route:)`: a parameter the route does not define, or one given twice, is
/// refused with a message naming it and the ones the route takes (OGC API – Features Part 1, requirement 8
/// `/req/core/query-param-unknown`; the query routes follow the same rule, so that a misspelt filter such as
/// `clas=01` is an error instead of a silently unfiltered answer).
public struct RequestParameters: Sendable {
    public var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)]) { self.pairs = pairs }

    /// The routes' parameters, by route (as registered, path parameters in braces).
    public static let allowed: [String: [String]] = [
        "/": ["f", "at", "lookup"],  // at, lookup: the map page's (MapPage)
        "/api": ["f"],
        "/conformance": ["f"],
        "/collections": ["f"],
        "/collections/{collectionId}": ["f"],
        "/collections/{collectionId}/items": ["f", "bbox", "bbox-crs", "limit", "offset", "datetime"],
        "/collections/{collectionId}/items/{featureId}": ["f"],
        "/lookup": ["lon", "lat", "crs", "at"],
        "/vendor/check": ["lon", "lat", "at", "crs"],
        "/vendor/open": ["at", "near", "radius", "open_only", "crs"],
        "/hazards": ["near", "radius", "along", "buffer", "in_grid", "class", "kind", "status", "min_severity", "f", "crs"],
        "/hazards/hotspots": ["by", "top"],
        "/stations/nearest": ["lon", "lat", "k", "network", "crs"],
        "/cases": ["status", "district", "grid", "department", "time_state", "from", "to", "limit", "offset", "f"],
        "/cases/{id}": [],
        "/cases/{id}/{action}": [],
        "/assessment": ["by", "from", "to", "f"],
        "/hazards/{id}/status": [],
    ]

    /// Refuses a parameter `route` does not take or one given more than once.
    public func check(route: String) throws(ParameterError) {
        guard let names = Self.allowed[route] else { preconditionFailure("no parameter list for route \(route)") }
        var seen: Set<String> = []
        for (name, _) in pairs {
            guard names.contains(name) else {
                throw ParameterError(String(name.prefix(100)),
                                     "unknown parameter for \(route); it takes " + (names.isEmpty ? "none" : names.joined(separator: ", ")))
            }
            guard seen.insert(name).inserted else { throw ParameterError(name, "given more than once") }
        }
    }

    /// The response format `f`, when given: one of `formats`, else an error.
    public func format(_ formats: [String]) throws(ParameterError) -> String? {
        guard let f = get("f") else { return nil }
        guard formats.contains(f) else {
            throw ParameterError("f", "'\(f.prefix(100))' is not offered here; one of " + formats.joined(separator: ", "))
        }
        return f
    }

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
        guard let v = NumberText.decimal(Self.trimmingSpaces(t)) else { throw ParameterError(name, "'\(t)' is not a number") }
        return v
    }

    /// `text` without its leading and trailing tabs and space separators (what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` removes), without Foundation's bridging: a lookup's two numbers are
    /// read on every request.
    static func trimmingSpaces(_ text: String) -> Substring {
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == "\t" || s.properties.generalCategory == .spaceSeparator }
        let scalars = text.unicodeScalars
        var (start, end) = (scalars.startIndex, scalars.endIndex)
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while start < end, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return text[start..<end]
    }

    /// `true` or `false`; absent: false.
    public func flag(_ name: String) throws(ParameterError) -> Bool {
        guard let t = get(name) else { return false }
        guard let v = Bool(t) else { throw ParameterError(name, "'\(t)' is not true or false") }
        return v
    }

    /// An integer (Int's range).
    public func integer(_ name: String) throws(ParameterError) -> Int {
        let t = try text(name)
        guard let v = Int(t) else { throw ParameterError(name, "'\(t)' is not an integer") }
        return v
    }

    /// `lon` and `lat` as WGS84 degrees, in range; with `crs`, x and y in that CRS taken to WGS84.
    func spot() throws(ParameterError) -> Coordinate {
        let (lon, lat) = (try number("lon"), try number("lat"))
        guard let crs = try inputCRS() else {
            do { try UserInput.checkCoordinate(lon: lon, lat: lat) } catch { throw Self.parameterError(error) }
            return Coordinate(lon, lat)
        }
        do { return try crs.spot(x: lon, y: lat, field: "lon/lat") } catch { throw Self.parameterError(error) }
    }

    /// `LON,LAT` in the parameter `name` (with `crs`, `X,Y` in that CRS, taken to WGS84).
    func lonLat(_ name: String) throws(ParameterError) -> Coordinate {
        let t = try text(name)
        do {
            guard let crs = try inputCRS() else { return try UserInput.lonLat(t, field: name) }
            return try crs.spot(t, field: name)
        } catch let e as ParameterError {
            throw e
        } catch {
            throw Self.parameterError(error)
        }
    }

    /// The CRS of the query routes' coordinates, `crs` (`EPSG:n`, an OGC CRS URI such as
    /// `http://www.opengis.net/def/crs/EPSG/0/4490`, a PROJ string, `GCJ02`, `BD09`; x is always longitude or
    /// easting); nil when absent or WGS84 lon/lat.
    func inputCRS() throws(ParameterError) -> InputCoordinates? {
        guard let text = get("crs") else { return nil }
        guard !text.isEmpty else { throw ParameterError("crs", "empty; give EPSG:n, GCJ02, BD09 or a CRS URI") }
        let definition = Self.crsDefinition(text)
        if definition == "EPSG:4326" { return nil }
        do {
            return try InputCoordinates(text: definition, field: "crs")
        } catch {
            throw Self.parameterError(error)
        }
    }

    /// An OGC CRS URI as PROJ's text (`…/OGC/1.3/CRS84` and `…/EPSG/0/4326` → `EPSG:4326`, `…/EPSG/0/n` → `EPSG:n`);
    /// other texts as given.
    static func crsDefinition(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        for prefix in ["http://www.opengis.net/def/crs/EPSG/0/", "https://www.opengis.net/def/crs/EPSG/0/"] where t.hasPrefix(prefix) {
            let code = t.dropFirst(prefix.count)
            if !code.isEmpty, code.allSatisfy { ("0"..."9").contains($0) } { return "EPSG:\(code)" }
        }
        if t.hasSuffix("/def/crs/OGC/1.3/CRS84") || t.uppercased() == "CRS84" || t.uppercased() == "OGC:CRS84" || t.uppercased() == "WGS84" { return "EPSG:4326" }
        return t
    }

    /// A domain error of argument parsing as a parameter error (`name: reason`).
    static func parameterError(_ error: any Error) -> ParameterError {
        if case ModelError.invalidArgument(let name, let reason) = error { return ParameterError(name, reason) }
        return ParameterError("parameters", "\(error)")
    }
}

// MARK: - The typed requests

/// `GET /lookup?lon=X&lat=Y[&at=TIME]`. The time stays text: it is read in the database's zone (`CityFrame.parseTime`);
/// without it, the answer is for the moment of the request.
public struct LookupRequest: Sendable, Hashable {
    public var spot: Coordinate
    public var at: String?

    public init(_ q: RequestParameters) throws(ParameterError) {
        try q.check(route: "/lookup")
        spot = try q.spot()
        at = q.get("at") == nil ? nil : try q.text("at")
    }

    /// The warnings of a spot far outside the city (`SpotWarnings`): the answer's `warnings`.
    func warnings(_ frame: CityFrame) -> [String] { SpotWarnings.forSpot(spot, field: "lon/lat", extent: frame.extent) }
}

/// `GET /vendor/check?lon=X&lat=Y&at=TIME`. The time stays text: it is read in the database's zone
/// (`CityFrame.parseTime`).
public struct VendorCheckRequest: Sendable, Hashable {
    public var spot: Coordinate
    public var at: String

    public init(_ q: RequestParameters) throws(ParameterError) {
        try q.check(route: "/vendor/check")
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
        try q.check(route: "/vendor/open")
        at = try q.text("at")
        near = q.get("near") == nil ? nil : try q.lonLat("near")
        radiusMetres = q.get("radius") == nil ? nil : try q.number("radius")
        if radiusMetres != nil && near == nil { throw ParameterError("radius", "needs near=LON,LAT") }
        openOnly = try q.flag("open_only")
    }
}

/// `GET /hazards?near=LON,LAT&radius=M | along=SEGMENT&buffer=M | in_grid=CODE [&class=CODE][&status=open][&f=geojson]`.
public struct HazardsRequest: Sendable, Hashable {
    public var area: HazardArea
    public var classCode: String?
    public var kind: CaseWorkflow.Kind?
    public var status: String?
    public var minSeverity: SeverityGrade?
    public var geoJSON: Bool

    public init(_ q: RequestParameters) throws(ParameterError) {
        try q.check(route: "/hazards")
        switch (q.get("near"), q.get("along"), q.get("in_grid")) {
        case (.some, nil, nil): area = .near(try q.lonLat("near"), radiusMetres: try q.number("radius"))
        case (nil, let along?, nil): area = .along(segmentID: along, bufferMetres: try q.number("buffer"))
        case (nil, nil, let grid?): area = .inGrid(code: grid)
        default:
            throw ParameterError("near/along/in_grid", "give one of near=LON,LAT&radius=M, along=SEGMENT_ID&buffer=M, in_grid=CODE")
        }
        classCode = q.get("class")
        kind = try q.get("kind").map { (k: String) throws(ParameterError) in
            guard let kind = CaseWorkflow.Kind(text: k) else { throw ParameterError("kind", "'\(k)' is not component (部件) or event (事件)") }
            return kind
        }
        status = q.get("status")
        minSeverity = try q.get("min_severity").map { (g: String) throws(ParameterError) in
            guard let grade = SeverityGrade(text: g) else { throw ParameterError("min_severity", "'\(g)' is not a grade: \(SeverityGrade.accepted)") }
            return grade
        }
        geoJSON = try q.format(["json", "geojson"]) == "geojson"
    }
}

/// `GET /hazards/hotspots?by=grid|segment|community&top=N`.
public struct HotspotsRequest: Sendable, Hashable {
    public var unit: HazardHotspot.Unit
    public var top: Int

    public init(_ q: RequestParameters) throws(ParameterError) {
        try q.check(route: "/hazards/hotspots")
        let by = q.get("by") ?? "grid"
        guard let unit = HazardHotspot.Unit(rawValue: by) else {
            throw ParameterError("by", "'\(by)' is not one of grid, segment, community")
        }
        self.unit = unit
        top = q.get("top") == nil ? 10 : try q.integer("top")
    }
}

/// `GET /stations/nearest?lon=X&lat=Y[&k=N][&network=walk|drive]`.
public struct NearestStationsRequest: Sendable, Hashable {
    public var spot: Coordinate
    public var k: Int
    /// Street-network distance by this mode; nil: straight-line.
    public var network: TravelMode?

    public init(_ q: RequestParameters) throws(ParameterError) {
        try q.check(route: "/stations/nearest")
        spot = try q.spot()
        k = q.get("k") == nil ? 1 : try q.integer("k")
        if let text = q.get("network") {
            guard let mode = TravelMode(rawValue: text) else { throw ParameterError("network", "'\(text)' is not walk or drive") }
            network = mode
        }
    }
}

/// `GET /collections/{id}/items?limit=N&offset=N&bbox=W,S,E,N[&bbox-crs=CRS84][&datetime=T|START/END][&f=json|geojson]`
/// (OGC API – Features).
public struct ItemsRequest: Sendable, Hashable {
    /// The only bbox CRS offered (OGC API – Features Part 2 is not).
    public static let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

    public var limit: Int
    public var offset: Int
    public var bbox: Envelope?
    /// The bbox as the client sent it, for the paging links.
    public var bboxText: String?
    public var time: LayerFilter.TimeRange?
    /// The datetime as the client sent it, for the paging links.
    public var datetimeText: String?

    public init(limit: Int, offset: Int, bbox: Envelope? = nil, bboxText: String? = nil,
                time: LayerFilter.TimeRange? = nil, datetimeText: String? = nil) {
        self.limit = limit
        self.offset = offset
        self.bbox = bbox
        self.bboxText = bboxText
        self.time = time
        self.datetimeText = datetimeText
    }

    /// - Parameters: defaultLimit, maximumLimit: the service's; a larger `limit` is clamped, not refused
    ///   (OGC API – Features issue 640).
    public init(_ q: RequestParameters, defaultLimit: Int, maximumLimit: Int) throws(ParameterError) {
        try q.check(route: "/collections/{collectionId}/items")
        _ = try q.format(["json", "geojson"])
        limit = defaultLimit
        if let text = q.get("limit") {
            guard let n = Self.count(text) else { throw ParameterError("limit", "'\(text)' is not an integer") }
            guard n >= 1 else { throw ParameterError("limit", "\(n): must be at least 1") }
            limit = min(n, maximumLimit)
        }
        offset = 0
        if let text = q.get("offset") {
            guard let n = Self.count(text), n >= 0 else { throw ParameterError("offset", "'\(text)' is not a non-negative integer") }
            offset = n
        }
        if let crs = q.get("bbox-crs"), crs != Self.crs84 {
            throw ParameterError("bbox-crs", "'\(crs)': only \(Self.crs84) (OGC API – Features Part 2 is not offered)")
        }
        bboxText = q.get("bbox")
        if var text = bboxText {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            if parts.count == 6 {  // minx,miny,minz,maxx,maxy,maxz: the heights do not matter in 2D, but must be numbers
                for z in [parts[2], parts[5]] where NumberText.decimal(z.trimmingCharacters(in: .whitespaces)) == nil {
                    throw ParameterError("bbox", "'\(text.prefix(200))': the height '\(z.prefix(50))' is not a number")
                }
                text = [parts[0], parts[1], parts[3], parts[4]].joined(separator: ",")
            }
            do { bbox = try LayerFilter.parseBBox(text) } catch { throw RequestParameters.parameterError(error) }
        }
        // an empty datetime= (which the published schema allows) selects no time: as if absent
        datetimeText = q.get("datetime").flatMap { $0.isEmpty ? nil : $0 }
        time = try datetimeText.map { (t: String) throws(ParameterError) in try Self.parseDatetime(t) }
    }

    /// An integer as `limit` and `offset` take it (ASCII digits, optional sign, surrounding blanks ignored); digits
    /// beyond 64 bits read as the largest integer, so that an oversized limit is clamped and an oversized offset is
    /// past the end, as any large one is.
    static func count(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let n = Int(t) { return n }
        let digits = t.hasPrefix("+") ? t.dropFirst() : Substring(t)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int.max
    }

    /// OGC API – Features' `datetime`: an RFC 3339 date-time (with `Z` or an offset), or an interval `start/end` whose
    /// open end is `..` or empty (`2026-11-01T00:00:00Z/..`). Both ends included.
    static func parseDatetime(_ text: String) throws(ParameterError) -> LayerFilter.TimeRange {
        let example = "e.g. 2026-11-21T09:30:00+08:00, 2026-11-01T00:00:00Z/2026-11-30T23:59:59Z or 2026-11-01T00:00:00Z/.."
        func instant(_ part: Substring) throws(ParameterError) -> Date? {
            if part.isEmpty || part == ".." { return nil }
            if let d = ISOTime.instant(String(part)) { return d }
            throw ParameterError("datetime", "'\(part.prefix(100))' is not an RFC 3339 date-time with an offset (\(example))")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard let t = try instant(parts[0]) else {
                throw ParameterError("datetime", "'\(text.prefix(100))' is not an RFC 3339 date-time or an interval (\(example))")
            }
            return LayerFilter.TimeRange(start: t, end: t)
        case 2:
            let (start, end) = (try instant(parts[0]), try instant(parts[1]))
            if start == nil && end == nil {
                throw ParameterError("datetime", "'\(text.prefix(100))': an interval needs a start or an end, an RFC 3339 date-time (\(example))")
            }
            if let start, let end, start > end {
                throw ParameterError("datetime", "'\(text.prefix(100))': the interval ends before it starts")
            }
            return LayerFilter.TimeRange(start: start, end: end)
        default:
            throw ParameterError("datetime", "'\(text.prefix(100))' is not an RFC 3339 date-time or an interval start/end (\(example))")
        }
    }
}

/// `GET /collections/{collectionId}/items/{featureId}`: the feature id as the route reads it.
public enum FeatureRequest {
    /// The path's feature id percent-decoded (kept as sent when it is not valid percent-encoding).
    public static func featureID(_ raw: String) -> String { raw.removingPercentEncoding ?? raw }
}
