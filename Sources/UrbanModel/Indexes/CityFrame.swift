public import Foundation
public import SpatialCore

/// What every answer about one city is given in: the city's time zone and the metric CRS distances are measured in.
///
/// Distances are metres in the local metric CRS `LocalMetricCRS.choose` picks for the city's extent (UTM, or the
/// CGCS2000 3° Gauss-Krüger zone in China); coordinates in and out are WGS84 lon/lat; times are ISO 8601 with the
/// city's offset. A value: read once from the store and shared by every index and worker.
public struct CityFrame: Sendable {
    public let timeZone: TimeZone
    /// The metric CRS distances are measured in, and why it was chosen.
    public let metricCRS: CRS
    public let metricCRSReason: String
    /// The extent (WGS84) of the city's layers; nil while they are empty. Spots far outside it get warnings
    /// (`SpotWarnings`).
    public let extent: Envelope?

    /// The store's time zone (UTC+8 when it names none the system knows) and the metric CRS for the extent of its
    /// grids, streets, admin areas, stations, hazards and vendor zones.
    public init(_ store: any CityStore) throws {
        let zone = try store.cityTimeZone
        let extent = try store.extent(of: [.grids, .streets, .admin, .stations, .hazards, .vendorZones])
        let (crs, reason) = LocalMetricCRS.choose(for: extent ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0))
        self.init(timeZone: zone, metricCRS: crs, metricCRSReason: reason, extent: extent)
    }

    public init(timeZone: TimeZone, metricCRS: CRS, metricCRSReason: String, extent: Envelope? = nil) {
        self.timeZone = timeZone
        self.metricCRS = metricCRS
        self.metricCRSReason = metricCRSReason
        self.extent = extent
    }

    /// WGS84 → the metric CRS (a PROJ object: one per worker).
    public func forward() throws -> CoordinateTransform { try CoordinateTransform(from: .wgs84, to: metricCRS) }

    /// The metric CRS → WGS84.
    public func inverse() throws -> CoordinateTransform { try CoordinateTransform(from: metricCRS, to: .wgs84) }

    /// ISO 8601 with the city's offset, e.g. 2026-11-22T18:00:00+08:00.
    public func isoTime(_ date: Date) -> String { ISOTime.string(date, in: timeZone) }

    /// Parses a user's time: ISO 8601 with an offset, or without one (then local time of the city's zone).
    public func parseTime(_ text: String, field: String = "at") throws -> Date {
        try UserInput.time(text, in: timeZone, field: field)
    }
}

/// Checks of what users type or send: spots, distances, times. Each failure is `ModelError.invalidArgument` naming
/// the field.
public enum UserInput {
    /// Checks a lon/lat pair given by a user.
    public static func checkCoordinate(lon: Double, lat: Double, field: String = "lon/lat") throws {
        guard lon.isFinite, lat.isFinite, (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw ModelError.invalidArgument(name: field, reason: "(\(lon), \(lat)) is not a WGS84 longitude/latitude (−180…180, −90…90)")
        }
    }

    /// Checks every spot of a batch like `checkCoordinate`, naming the first bad one `points[i]`.
    public static func checkPoints(_ points: [Coordinate]) throws {
        if let i = points.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && abs($0.x) <= 180 && abs($0.y) <= 90) }) {
            try checkCoordinate(lon: points[i].x, lat: points[i].y, field: "points[\(i)]")
        }
    }

    /// Parses `LON,LAT` (WGS84 degrees) as a user gives a spot (`--near`, `near=`), checked like `checkCoordinate`.
    public static func lonLat(_ text: String, field: String) throws -> Coordinate {
        let p = text.split(separator: ",", omittingEmptySubsequences: false).map { NumberText.decimal($0.trimmingCharacters(in: .whitespaces)) }
        guard p.count == 2, let lon = p[0], let lat = p[1] else {
            throw ModelError.invalidArgument(name: field, reason: "'\(text)' is not LON,LAT (WGS84 degrees, e.g. 24.94,60.17)")
        }
        try checkCoordinate(lon: lon, lat: lat, field: field)
        return Coordinate(lon, lat)
    }

    /// Checks a distance in metres (finite, ≥ 0).
    public static func checkDistance(_ d: Double, _ name: String) throws {
        guard d.isFinite, d >= 0 else { throw ModelError.invalidArgument(name: name, reason: "\(d) is not a distance in metres (≥ 0)") }
    }

    /// Parses a user's time: `now`, ISO 8601 with an offset, or without one (then local time of `zone`).
    public static func time(_ text: String, in zone: TimeZone, field: String = "at") throws -> Date {
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "now" { return Date() }
        guard let date = ISOTime.date(text, in: zone) else {
            throw ModelError.invalidArgument(name: field, reason: "'\(text)' is not an ISO 8601 time such as 2026-11-22T18:30 or 2026-11-22T18:30:00+08:00, or now")
        }
        return date
    }
}
