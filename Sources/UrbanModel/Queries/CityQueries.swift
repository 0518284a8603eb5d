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
    public let db: any CityStore
    public let timeZone: TimeZone
    /// The metric CRS distances are measured in, and why it was chosen.
    public let metricCRS: CRS
    public let metricCRSReason: String
    /// Buffer radius in metres around POIs of each kind where vending is not allowed.
    public var exclusionMetres: [String: Double]
    public var holidays: HolidayCalendar = .none

    let forward: CoordinateTransform

    /// Grid cells in code order (the lowest code wins on a shared edge), the admin communities for spots outside
    /// every grid, and the chiefs.
    struct Grids {
        var codes: [String] = [], communities: [String?] = [], geometries: [Geometry] = []
        var indexByCode: [String: Int] = [:]
        var locator: PolygonLocator?
        var communityCodes: [String] = []
        var communityLocator: PolygonLocator?
        var chiefs: [String: String] = [:]

        /// The place of cell `cell`, or (outside every cell) of admin community `community`.
        func place(cell: Int?, community: Int?) -> Place {
            var p = Place()
            if let k = cell {
                p.gridCode = codes[k]
                p.communityCode = communities[k] ?? (try? GridCode(parsing: codes[k]))?.communityCode
                p.chief = chiefs[codes[k]]
            } else if let community {
                p.communityCode = communityCodes[community]
            }
            return p
        }
    }

    /// Where a spot lies: its cell's code, community and chief, or (outside every cell) the admin community only.
    struct Place {
        var gridCode: String?, communityCode: String?, chief: String?
    }

    struct Streets {
        var ids: [String] = [], indexByID: [String: Int] = [:], metric: [Geometry] = []
        /// Nearest segment to a point: GEOS's distance formula, without a GEOS call per point.
        var nearest = NearestLineLocator([])

        /// The nearest segment to a metric position and the distance to it in metres.
        func nearestSegment(to metric: Coordinate) -> (id: String, distance: Double)? {
            nearest.nearest(metric).map { (ids[$0.index], $0.distance) }
        }
    }

    struct Zones {
        var zones: [(id: String, name: String?, hours: OpeningHours?, hoursText: String?)] = []
        var geometries: [Geometry] = []
        var locator: PolygonLocator?
    }

    /// POIs whose kind has an exclusion buffer (metric points).
    struct Protected {
        /// The kinds loaded (`exclusionMetres`'s keys then): a change of kinds reloads.
        var kinds: Set<String> = []
        var pois: [(id: String, name: String?, kind: String, point: Geometry)] = []
        var index: SpatialIndex?
    }

    struct Hazards {
        var records: [HazardRecord] = []
        var index: SpatialIndex?
    }

    struct Stations {
        var stations: [(id: String, name: String?, lonLat: Coordinate, metric: Geometry)] = []
        var index: SpatialIndex?
    }

    // Each group is read and indexed on first use, then kept: a lookup never loads hazards.
    private var gridCache: Grids?, streetCache: Streets?, zoneCache: Zones?, protectedCache: Protected?
    private var hazardCache: Hazards?, stationCache: Stations?
    /// Whether the grid index is built (then every lookup uses it).
    var isGridIndexLoaded: Bool { gridCache != nil }
    /// Whether the streets' nearest-segment index is built.
    var isStreetIndexLoaded: Bool { streetCache != nil }
    /// Spots answered from the store so far (`lookupThroughStore`), and how many are, at most, before the grid index
    /// is built instead: one spot through the R*Trees costs about as much as a few hundred indexed ones, building
    /// the index costs 0.1 s on a few hundred cells and 2 s on 160,000. 0: the index is built at the first lookup.
    var storeLookups = 0
    public var lookupThroughStoreLimit = 100
    /// Street networks by mode, built from the streets layer on first use (`streetNetwork(_:)`).
    var networkCache: [TravelMode: StreetNetwork] = [:]
    /// Where points snap on street networks (default: the largest connected part; see `StreetNetwork.Snapping`).
    public var networkSnapping: StreetNetwork.Snapping = .connected {
        didSet { if networkSnapping != oldValue { networkCache = [:] } }
    }

    /// The POI kinds with a default exclusion buffer (metres) around them: schools, kindergartens, hospitals.
    public static let defaultExclusionMetres: [String: Double] = ["school": 100, "kindergarten": 100, "hospital": 100]

    public init(_ db: any CityStore, exclusionMetres: [String: Double] = CityQueries.defaultExclusionMetres) throws {
        self.db = db
        self.exclusionMetres = exclusionMetres
        timeZone = TimeZone(identifier: try db.timeZone) ?? TimeZone(secondsFromGMT: 8 * 3600)!
        let extent = try db.extent(of: [.grids, .streets, .admin, .stations, .hazards, .vendorZones])
        (metricCRS, metricCRSReason) = LocalMetricCRS.choose(for: extent ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0))
        forward = try CoordinateTransform(from: .wgs84, to: metricCRS)
    }

    /// Reads and indexes every group now, the polygons of the grid, community and vendor-zone locators prepared for
    /// GEOS (a service does this at start, so that no request pays for it).
    public func warmUp() throws {
        let g = try grids()
        for locator in [g.locator, g.communityLocator, try vendorZones().locator] { try locator?.preparePolygons() }
        _ = try streets()
        _ = try protectedPOIs()
        _ = try hazardData()
        _ = try stationData()
        for mode in TravelMode.allCases { _ = try streetNetwork(mode) }
    }

    /// The rows of one layer (`CityStore.features`).
    func rows(_ layer: UrbanModel.Layer, _ fields: [LayerRequest.Field], where conditions: [LayerRequest.Condition] = [],
              order: [String] = ["pk"]) throws -> [SQLRow] {
        try db.features(LayerRequest(layer, fields, where: conditions, order: order))
    }

    func grids() throws -> Grids {
        if let g = gridCache { return g }
        var g = Grids()
        for r in try rows(.grids, [.column("code"), .column("community_code"), .geometry], order: ["code", "pk"]) {
            guard let geometry = try r["g"]?.geometry() else { continue }
            g.codes.append(r["code"]?.string ?? "")
            g.communities.append(r["community_code"]?.string)
            g.geometries.append(geometry)
        }
        g.indexByCode = Dictionary(g.codes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        g.locator = g.geometries.isEmpty ? nil : try PolygonLocator(g.geometries, semantics: .covers)
        var communities: [Geometry] = []
        for r in try rows(.admin, [.column("code"), .geometry], where: [.equals("level", .text("community"))], order: ["code", "pk"]) {
            guard let geometry = try r["g"]?.geometry() else { continue }
            g.communityCodes.append(r["code"]?.string ?? "")
            communities.append(geometry)
        }
        g.communityLocator = communities.isEmpty ? nil : try PolygonLocator(communities, semantics: .covers)
        for r in try rows(.chiefs, [.column("grid_code"), .column("name")], where: [.notNull("grid_code")]) {
            if let code = r["grid_code"]?.string, g.chiefs[code] == nil { g.chiefs[code] = r["name"]?.string }
        }
        gridCache = g
        return g
    }

    func streets() throws -> Streets {
        if let s = streetCache { return s }
        var s = Streets()
        for r in try rows(.streets, [.column("id"), .geometry]) {
            guard let geometry = try r["g"]?.geometry() else { continue }
            s.ids.append(r["id"]?.string ?? "")
            s.metric.append(try forward.apply(to: geometry))
        }
        s.indexByID = Dictionary(s.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        s.nearest = NearestLineLocator(s.metric)
        streetCache = s
        return s
    }

    func vendorZones() throws -> Zones {
        if let z = zoneCache { return z }
        var z = Zones()
        for r in try rows(.vendorZones, [.column("id"), .column("name"), .column("hours"), .geometry], order: ["id"]) {
            guard let geometry = try r["g"]?.geometry() else { continue }
            let text = r["hours"]?.string
            z.zones.append((r["id"]?.string ?? "", r["name"]?.string, try text.map { try OpeningHours($0) }, text))
            z.geometries.append(geometry)
        }
        z.locator = z.geometries.isEmpty ? nil : try PolygonLocator(z.geometries, semantics: .covers)
        zoneCache = z
        return z
    }

    func protectedPOIs() throws -> Protected {
        if let p = protectedCache, p.kinds == Set(exclusionMetres.keys) { return p }
        var p = Protected(kinds: Set(exclusionMetres.keys))
        let kinds = exclusionMetres.keys.sorted()
        guard !kinds.isEmpty else {
            protectedCache = p
            return p
        }
        for r in try rows(.pois, [.column("id"), .column("name"), .column("kind"), .pointOnSurface], where: [.isIn("kind", kinds)]) {
            guard let kind = r["kind"]?.string, let x = r["x"]?.double, let y = r["y"]?.double else { continue }
            p.pois.append((r["id"]?.string ?? "", r["name"]?.string, kind, try forward.apply(to: .point(Point(Coordinate(x, y))))))
        }
        p.index = p.pois.isEmpty ? nil : try SpatialIndex(p.pois.map(\.point))
        protectedCache = p
        return p
    }

    func hazardData() throws -> Hazards {
        if let h = hazardCache { return h }
        var h = Hazards()
        let columns = ["id", "class_code", "severity", "status", "reported_at", "resolved_at", "segment_id", "grid_code"]
        for r in try rows(.hazards, columns.map(LayerRequest.Field.column) + [.pointOnSurface]) {
            guard let x = r["x"]?.double, let y = r["y"]?.double else { continue }
            let lonLat = Coordinate(x, y)
            h.records.append(HazardRecord(
                id: r["id"]?.string ?? "", classCode: r["class_code"]?.string ?? "", severity: r["severity"]?.int,
                status: r["status"]?.string ?? "", reportedAt: r["reported_at"]?.string, resolvedAt: r["resolved_at"]?.string,
                segmentID: r["segment_id"]?.string, gridCode: r["grid_code"]?.string, lonLat: lonLat,
                metric: try forward.apply(lonLat)))
        }
        h.index = h.records.isEmpty ? nil : try SpatialIndex(h.records.map { .point(Point($0.metric)) })
        hazardCache = h
        return h
    }

    func stationData() throws -> Stations {
        if let s = stationCache { return s }
        var s = Stations()
        for r in try rows(.stations, [.column("id"), .column("name"), .pointOnSurface]) {
            guard let x = r["x"]?.double, let y = r["y"]?.double else { continue }
            s.stations.append((r["id"]?.string ?? "", r["name"]?.string, Coordinate(x, y), .point(Point(try forward.apply(Coordinate(x, y))))))
        }
        s.index = s.stations.isEmpty ? nil : try SpatialIndex(s.stations.map(\.metric))
        stationCache = s
        return s
    }

    /// Checks a lon/lat pair given by a user.
    public static func checkCoordinate(lon: Double, lat: Double, field: String = "lon/lat") throws {
        guard lon.isFinite, lat.isFinite, (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw ModelError.invalidArgument(name: field, reason: "(\(lon), \(lat)) is not a WGS84 longitude/latitude (−180…180, −90…90)")
        }
    }

    /// Parses `LON,LAT` (WGS84 degrees) as a user gives a spot (`--near`, `near=`), checked like `checkCoordinate`.
    public static func parseLonLat(_ text: String, field: String) throws -> Coordinate {
        let p = text.split(separator: ",", omittingEmptySubsequences: false).map { NumberText.decimal($0.trimmingCharacters(in: .whitespaces)) }
        guard p.count == 2, let lon = p[0], let lat = p[1] else {
            throw ModelError.invalidArgument(name: field, reason: "'\(text)' is not LON,LAT (WGS84 degrees, e.g. 24.94,60.17)")
        }
        try checkCoordinate(lon: lon, lat: lat, field: field)
        return Coordinate(lon, lat)
    }

    /// ISO 8601 with the database's offset, e.g. 2026-11-22T18:00:00+08:00.
    public func isoTime(_ date: Date) -> String { ISOTime.string(date, in: timeZone) }

    /// Parses a user's time: ISO 8601 with an offset, or without one (then local time of the database's zone).
    public func parseTime(_ text: String, field: String = "at") throws -> Date {
        try Self.parseTime(text, in: timeZone, field: field)
    }

    /// Parses a user's time: ISO 8601 with an offset, or without one (then local time of `zone`).
    public static func parseTime(_ text: String, in zone: TimeZone, field: String = "at") throws -> Date {
        guard let date = ISOTime.date(text, in: zone) else {
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
