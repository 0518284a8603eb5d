public import SpatialCore

/// How far a grid cell is from a station.
public enum CoverageMeasure: String, Sendable, CaseIterable {
    /// To the cell's centroid, the point the siting instances represent a cell by.
    case centroid
    /// To the nearest point of the cell (0 when the station is inside it): a cell is reached when any part is.
    case boundary
}

/// One grid cell's straight-line coverage by the nearest station.
public struct GridCoverageUnit: Sendable, Hashable {
    public var gridCode: String
    public var communityCode: String?
    /// The nearest station's id; nil when the database has no station.
    public var stationID: String?
    /// Straight-line distance to it in metres, measured in `GridCoverage.crs`.
    public var distanceMetres: Double?
    public var covered: Bool
}

/// Which grid cells a station reaches within a radius (straight-line), per `GridCoverage.run`.
public struct GridCoverage: Sendable {
    public var radiusMetres: Double
    public var measure: CoverageMeasure
    /// The metric CRS distances were measured in, and why it was chosen.
    public var crs: String
    public var crsReason: String
    /// Every cell, in grid-code order.
    public var units: [GridCoverageUnit]

    public var coveredCount: Int { units.filter(\.covered).count }
    public var uncovered: [GridCoverageUnit] { units.filter { !$0.covered } }
    /// Covered cells as a percentage of all cells (100 when there are none).
    public var coveragePercent: Double { units.isEmpty ? 100 : 100 * Double(coveredCount) / Double(units.count) }

    /// Measures every stored grid cell against the stations layer, straight-line, in the local metric CRS
    /// `LocalMetricCRS.choose` picks for the data (UTM, or CGCS2000 Gauss-Krüger in China). A cell is covered
    /// when its distance to the nearest station is at most `radiusMetres`. The nearest station is found with
    /// GEOS's STRtree (exact distances, ties to the first station in storage order).
    public static func run(_ db: UrbanDatabase, radiusMetres: Double, measure: CoverageMeasure = .centroid) throws -> GridCoverage {
        guard radiusMetres.isFinite, radiusMetres >= 0 else {
            throw ModelError.invalidArgument(name: "radius_m", reason: "\(radiusMetres) is not a distance in metres (≥ 0)")
        }
        var cells: [(code: String, community: String?, geometry: Geometry)] = []
        for r in try db.store.query("SELECT code, community_code, AsBinary(geom) AS g FROM grids ORDER BY code, pk") {
            guard let g = try r["g"]?.geometry() else { continue }
            cells.append((r["code"]?.string ?? "", r["community_code"]?.string, g))
        }
        var stations: [(id: String, geometry: Geometry)] = []
        for r in try db.store.query("SELECT id, AsBinary(geom) AS g FROM stations ORDER BY pk") {
            guard let g = try r["g"]?.geometry() else { continue }
            stations.append((r["id"]?.string ?? "", g))
        }
        let envelope = Envelope.union(cells.map(\.geometry.envelope) + stations.map(\.geometry.envelope))
            ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0)
        let (crs, reason) = LocalMetricCRS.choose(for: envelope)
        let forward = try CoordinateTransform(from: .wgs84, to: crs)
        let index = stations.isEmpty ? nil : try SpatialIndex(stations.map { try forward.apply(to: $0.geometry) })
        var units: [GridCoverageUnit] = []
        units.reserveCapacity(cells.count)
        for cell in cells {
            let metric = try forward.apply(to: cell.geometry)
            let target = measure == .centroid ? try metric.centroid() : metric
            guard let index, let nearest = try index.nearest(to: target).first else {
                units.append(GridCoverageUnit(gridCode: cell.code, communityCode: cell.community, stationID: nil, distanceMetres: nil, covered: false))
                continue
            }
            units.append(GridCoverageUnit(
                gridCode: cell.code, communityCode: cell.community, stationID: stations[nearest.index].id,
                distanceMetres: nearest.distance, covered: nearest.distance <= radiusMetres))
        }
        return GridCoverage(radiusMetres: radiusMetres, measure: measure, crs: crs.definition, crsReason: reason, units: units)
    }
}
