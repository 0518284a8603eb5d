public import Foundation
public import SpatialCore

/// The answers planners and field staff ask for every day — who is responsible for a spot, may a vendor trade
/// here now, which hazards are near, where is the nearest station — from one database, with every index built
/// once and kept warm (a hotline service asks thousands of times a minute; nothing is rebuilt per question).
///
/// Distances are metres, measured in the local metric CRS `LocalMetricCRS.choose` picks for the city's extent
/// (UTM, or the CGCS2000 3° Gauss-Krüger zone in China). Coordinates in and out are WGS84 lon/lat.
/// Not thread-safe (GEOS and SQLite handles inside): give each worker its own.
public final class CityQueries {
    public let db: UrbanDatabase
    public let timeZone: TimeZone
    /// The metric CRS distances are measured in, and why it was chosen.
    public let metricCRS: CRS
    public let metricCRSReason: String
    /// Buffer radius in metres around POIs of each kind where vending is not allowed.
    public var exclusionMetres: [String: Double]
    public var holidays: HolidayCalendar = .none

    let forward: CoordinateTransform
    // grids, in code order: the lowest code wins on a shared edge
    let gridCodes: [String]
    let gridCommunities: [String?]
    let gridGeometries: [Geometry]
    lazy var gridLocator: PolygonLocator? = try? gridGeometries.isEmpty ? nil : PolygonLocator(gridGeometries, semantics: .covers)
    let gridIndexByCode: [String: Int]
    // admin communities, for spots outside every grid
    let communityCodes: [String]
    lazy var communityLocator: PolygonLocator? = try? communityGeometries.isEmpty ? nil : PolygonLocator(communityGeometries, semantics: .covers)
    let communityGeometries: [Geometry]
    let chiefsByGrid: [String: String]
    // streets (metric)
    let segmentIDs: [String]
    let segmentIndexByID: [String: Int]
    let segmentsMetric: [Geometry]
    let segmentIndex: SpatialIndex?
    // vendor zones (lon/lat), their hours
    let zones: [(id: String, name: String?, hours: OpeningHours?, hoursText: String?)]
    lazy var zoneLocator: PolygonLocator? = try? zoneGeometries.isEmpty ? nil : PolygonLocator(zoneGeometries, semantics: .covers)
    let zoneGeometries: [Geometry]
    // POIs whose kind has an exclusion buffer (metric)
    let sensitive: [(id: String, name: String?, kind: String, point: Geometry)]
    let sensitiveIndex: SpatialIndex?
    // hazards (metric points) and stations (metric points)
    let hazards: [HazardRecord]
    let hazardIndex: SpatialIndex?
    let stations: [(id: String, name: String?, lonLat: Coordinate, metric: Geometry)]
    let stationIndex: SpatialIndex?

    /// The POI kinds with a default exclusion buffer (metres) around them: schools, kindergartens, hospitals.
    public static let defaultExclusionMetres: [String: Double] = ["school": 100, "kindergarten": 100, "hospital": 100]

    public init(_ db: UrbanDatabase, exclusionMetres: [String: Double] = CityQueries.defaultExclusionMetres) throws {
        self.db = db
        self.exclusionMetres = exclusionMetres
        timeZone = TimeZone(identifier: try db.timeZone) ?? TimeZone(secondsFromGMT: 8 * 3600)!
        let store = db.store
        func geometry(_ r: SQLRow) throws -> Geometry? { try r["g"]?.geometry() }

        var extent: Envelope?
        for t in ["grids", "streets", "admin", "stations", "hazards", "vendor_zones"] {
            let r = try store.query("SELECT min(MbrMinX(geom)) a, min(MbrMinY(geom)) b, max(MbrMaxX(geom)) c, max(MbrMaxY(geom)) d FROM \(t)")
            if let row = r.first, let a = row["a"]?.double, let b = row["b"]?.double, let c = row["c"]?.double, let d = row["d"]?.double {
                extent = Envelope.union([extent, Envelope(minX: a, minY: b, maxX: c, maxY: d)])
            }
        }
        (metricCRS, metricCRSReason) = LocalMetricCRS.choose(for: extent ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0))
        forward = try CoordinateTransform(from: .wgs84, to: metricCRS)

        var codes: [String] = [], communities: [String?] = [], grids: [Geometry] = []
        for r in try store.query("SELECT code, community_code, AsBinary(geom) g FROM grids ORDER BY code, pk") {
            guard let g = try geometry(r) else { continue }
            codes.append(r["code"]?.string ?? "")
            communities.append(r["community_code"]?.string)
            grids.append(g)
        }
        gridCodes = codes
        gridCommunities = communities
        gridGeometries = grids
        gridIndexByCode = Dictionary(codes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })

        var cCodes: [String] = [], cGeoms: [Geometry] = []
        for r in try store.query("SELECT code, AsBinary(geom) g FROM admin WHERE level = 'community' ORDER BY code") {
            guard let g = try geometry(r) else { continue }
            cCodes.append(r["code"]?.string ?? "")
            cGeoms.append(g)
        }
        communityCodes = cCodes
        communityGeometries = cGeoms
        var chiefs: [String: String] = [:]
        for r in try store.query("SELECT grid_code, name FROM chiefs WHERE grid_code IS NOT NULL ORDER BY pk") {
            if let code = r["grid_code"]?.string, chiefs[code] == nil { chiefs[code] = r["name"]?.string }
        }
        chiefsByGrid = chiefs

        var ids: [String] = [], metric: [Geometry] = []
        for r in try store.query("SELECT id, AsBinary(geom) g FROM streets ORDER BY pk") {
            guard let g = try geometry(r) else { continue }
            ids.append(r["id"]?.string ?? "")
            metric.append(try forward.apply(to: g))
        }
        segmentIDs = ids
        segmentIndexByID = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        segmentsMetric = metric
        segmentIndex = metric.isEmpty ? nil : try SpatialIndex(metric)

        var z: [(String, String?, OpeningHours?, String?)] = [], zg: [Geometry] = []
        for r in try store.query("SELECT id, name, hours, AsBinary(geom) g FROM vendor_zones ORDER BY id") {
            guard let g = try geometry(r) else { continue }
            let text = r["hours"]?.string
            z.append((r["id"]?.string ?? "", r["name"]?.string, try text.map { try OpeningHours($0) }, text))
            zg.append(g)
        }
        zones = z.map { (id: $0.0, name: $0.1, hours: $0.2, hoursText: $0.3) }
        zoneGeometries = zg

        var s: [(String, String?, String, Geometry)] = []
        for r in try store.query("SELECT id, name, kind, AsBinary(ST_PointOnSurface(geom)) g FROM pois ORDER BY pk") {
            guard let kind = r["kind"]?.string, exclusionMetres[kind] != nil, let g = try geometry(r) else { continue }
            s.append((r["id"]?.string ?? "", r["name"]?.string, kind, try forward.apply(to: g)))
        }
        sensitive = s.map { (id: $0.0, name: $0.1, kind: $0.2, point: $0.3) }
        sensitiveIndex = s.isEmpty ? nil : try SpatialIndex(s.map(\.3))

        var h: [HazardRecord] = []
        for r in try store.query("""
            SELECT id, class_code, severity, status, reported_at, resolved_at, segment_id, grid_code, \
            ST_X(ST_PointOnSurface(geom)) x, ST_Y(ST_PointOnSurface(geom)) y FROM hazards ORDER BY pk
            """) {
            guard let x = r["x"]?.double, let y = r["y"]?.double else { continue }
            let lonLat = Coordinate(x, y)
            h.append(HazardRecord(
                id: r["id"]?.string ?? "", classCode: r["class_code"]?.string ?? "", severity: r["severity"]?.int,
                status: r["status"]?.string ?? "", reportedAt: r["reported_at"]?.string, resolvedAt: r["resolved_at"]?.string,
                segmentID: r["segment_id"]?.string, gridCode: r["grid_code"]?.string, lonLat: lonLat,
                metric: try forward.apply(lonLat)))
        }
        hazards = h
        hazardIndex = h.isEmpty ? nil : try SpatialIndex(h.map { .point(Point($0.metric)) })

        var st: [(String, String?, Coordinate, Geometry)] = []
        for r in try store.query("SELECT id, name, ST_X(ST_PointOnSurface(geom)) x, ST_Y(ST_PointOnSurface(geom)) y FROM stations ORDER BY pk") {
            guard let x = r["x"]?.double, let y = r["y"]?.double else { continue }
            st.append((r["id"]?.string ?? "", r["name"]?.string, Coordinate(x, y), .point(Point(try forward.apply(Coordinate(x, y))))))
        }
        stations = st.map { (id: $0.0, name: $0.1, lonLat: $0.2, metric: $0.3) }
        stationIndex = st.isEmpty ? nil : try SpatialIndex(st.map(\.3))
    }

    /// Checks a lon/lat pair given by a user.
    public static func checkCoordinate(lon: Double, lat: Double, field: String = "lon/lat") throws {
        guard lon.isFinite, lat.isFinite, (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw ModelError.invalidArgument(name: field, reason: "(\(lon), \(lat)) is not a WGS84 longitude/latitude (−180…180, −90…90)")
        }
    }

    /// ISO 8601 with the database's offset, e.g. 2026-11-22T18:00:00+08:00.
    public func isoTime(_ date: Date) -> String { ISOTime.string(date, in: timeZone) }

    /// Parses a user's time: ISO 8601 with an offset, or without one (then local time of the database's zone).
    public func parseTime(_ text: String, field: String = "at") throws -> Date {
        guard let date = ISOTime.date(text, in: timeZone) else {
            throw ModelError.invalidArgument(name: field, reason: "'\(text)' is not an ISO 8601 time such as 2026-11-22T18:30 or 2026-11-22T18:30:00+08:00")
        }
        return date
    }
}

/// A hazard as the queries see it.
public struct HazardRecord: Sendable, Hashable {
    public var id: String
    public var classCode: String
    public var severity: Int?
    public var status: String
    public var reportedAt: String?
    public var resolvedAt: String?
    public var segmentID: String?
    public var gridCode: String?
    public var lonLat: Coordinate
    var metric: Coordinate
}
