internal import CPROJ

/// Choosing a local projected CRS in metres for lon/lat data, on purpose.
public enum LocalMetricCRS {
    /// The WGS 84 / UTM zone of a lon/lat position: EPSG 326zz (north) or 327zz (south),
    /// zone = floor((lon + 180) / 6) + 1. (No Norway/Svalbard exceptions.)
    public static func utm(for c: Coordinate) -> CRS {
        let zone = min(60, max(1, Int(((c.x + 180) / 6).rounded(.down)) + 1))
        return .epsg((c.y >= 0 ? 32600 : 32700) + zone)
    }

    /// The CGCS2000 3-degree Gauss-Krüger CRS without zone prefix (EPSG:4534–4554, false easting
    /// 500 000 m) whose central meridian is nearest: CM = 3·round(lon / 3), EPSG = 4534 + (CM − 75) / 3.
    /// - Throws: when the longitude is outside China's zones (CM 75°E–135°E).
    public static func cgcs2000GaussKruger3(for c: Coordinate) throws -> CRS {
        let cm = 3 * Int((c.x / 3).rounded(.toNearestOrAwayFromZero))
        guard (75...135).contains(cm) else {
            throw SpatialError.unknownCRS("CGCS2000 3-degree Gauss-Krüger zone for longitude \(c.x) (zones cover CM 75°E to 135°E)")
        }
        return .epsg(4534 + (cm - 75) / 3)
    }

    public enum Family: String, Sendable, CaseIterable {
        case utm
        case cgcs2000GaussKruger = "gk"
    }

    /// The metric CRS UrbanGrid measures lon/lat data in, chosen from the data's centre: the CGCS2000
    /// 3-degree Gauss-Krüger zone when the centre lies in China (the GCJ-02 box of `ChinaOffsets`, and a
    /// zone with CM 75°E–135°E exists), otherwise the UTM zone; with the reason, for users to read.
    public static func choose(for envelope: Envelope) -> (crs: CRS, reason: String) {
        let c = envelope.center
        if !ChinaOffsets.isOutsideChina(c), let crs = try? cgcs2000GaussKruger3(for: c) {
            let cm = 3 * Int((c.x / 3).rounded(.toNearestOrAwayFromZero))
            return (crs, "CGCS2000 3° Gauss-Krüger zone, central meridian \(cm)°E (\(crs)): the data's centre lies in China")
        }
        let crs = utm(for: c)
        return (crs, "WGS 84 UTM (\(crs)): the data's centre lies outside China")
    }

    /// The metric CRS for data with this lon/lat envelope, chosen from its centre.
    public static func forData(_ envelope: Envelope, family: Family = .utm) throws -> CRS {
        switch family {
        case .utm: utm(for: envelope.center)
        case .cgcs2000GaussKruger: try cgcs2000GaussKruger3(for: envelope.center)
        }
    }
}

/// Metric measurement of WGS84 lon/lat geometries: projected to a chosen local CRS, then GEOS.
/// Not thread-safe (holds a PROJ transform).
public final class MetricMeasure {
    public let crs: CRS
    private let forward: CoordinateTransform

    /// - Parameter crs: the metric CRS to measure in (see `LocalMetricCRS`).
    public init(crs: CRS, from source: CRS = .wgs84) throws {
        self.crs = crs
        forward = try CoordinateTransform(from: source, to: crs)
    }

    /// Chooses the UTM zone (or CGCS2000 GK zone) from the data's centre.
    public convenience init(for envelope: Envelope, family: LocalMetricCRS.Family = .utm) throws {
        try self.init(crs: LocalMetricCRS.forData(envelope, family: family))
    }

    public func project(_ g: Geometry) throws -> Geometry { try forward.apply(to: g) }
    public func areaSquareMetres(_ g: Geometry) throws -> Double { try project(g).area() }
    public func lengthMetres(_ g: Geometry) throws -> Double { try project(g).length() }
    public func distanceMetres(_ a: Geometry, _ b: Geometry) throws -> Double { try project(a).distance(to: project(b)) }
}

/// Geodesic measures on the WGS84 ellipsoid (PROJ's geodesic routines, Karney's algorithms).
public enum Geodesic {
    private static func wgs84() -> geod_geodesic {
        var g = geod_geodesic()
        geod_init(&g, 6378137, 1 / 298.257223563)
        return g
    }

    /// Distance in metres between two lon/lat positions.
    public static func distanceMetres(_ a: Coordinate, _ b: Coordinate) -> Double {
        var g = wgs84()
        var s12 = 0.0
        geod_inverse(&g, a.y, a.x, b.y, b.x, &s12, nil, nil)
        return s12
    }

    /// Area (m², positive) and perimeter (m) of a lon/lat ring or polygon (holes subtract).
    public static func areaAndPerimeter(_ polygon: Polygon) -> (areaSquareMetres: Double, perimeterMetres: Double) {
        var g = wgs84()
        func ring(_ r: LinearRing) -> (Double, Double) {
            var lats = r.coordinates.dropLast().map(\.y)
            var lons = r.coordinates.dropLast().map(\.x)
            var area = 0.0, perim = 0.0
            geod_polygonarea(&g, &lats, &lons, Int32(lats.count), &area, &perim)
            return (abs(area), perim)
        }
        var (area, perim) = ring(polygon.exterior)
        for h in polygon.holes {
            let (a, p) = ring(h)
            area -= a
            perim += p
        }
        return (area, perim)
    }

    /// Length in metres of a lon/lat line along geodesics.
    public static func lengthMetres(_ line: LineString) -> Double {
        zip(line.coordinates, line.coordinates.dropFirst()).reduce(0) { $0 + distanceMetres($1.0, $1.1) }
    }
}
