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
    /// The travel mode of network distances (nil: straight-line).
    public var network: TravelMode? = nil
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
    /// With `network`, along the streets from the station to the cell's centroid (`CityAnalysis.coverage`).
    public static func run(_ db: any CityStore, radiusMetres: Double, measure: CoverageMeasure = .centroid,
                           network: TravelMode? = nil) throws -> GridCoverage {
        guard radiusMetres.isFinite, radiusMetres >= 0 else {
            throw ModelError.invalidArgument(name: "radius_m", reason: "\(radiusMetres) is not a distance in metres (≥ 0)")
        }
        let analysis = try CityAnalysis(db)
        let report = try analysis.coverage(facilities: .stations, demand: .grids, radiusMetres: radiusMetres, measure: measure, network: network)
        let units = report.units.map { u in  // a grid's id is its code
            GridCoverageUnit(gridCode: u.id, communityCode: u.communityCode, stationID: u.facilityID,
                             distanceMetres: u.distanceMetres, covered: u.covered)
        }.sorted { $0.gridCode < $1.gridCode }
        return GridCoverage(radiusMetres: radiusMetres, measure: measure, network: network, crs: report.crs, crsReason: analysis.frame.metricCRSReason, units: units)
    }
}
