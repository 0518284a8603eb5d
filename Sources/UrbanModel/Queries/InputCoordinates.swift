public import SpatialCore

/// Coordinates a user gives (`--lon/--lat`, `--near X,Y`, `lon=`/`lat=`, `near=`) in the CRS they name (`--crs`, HTTP
/// `crs`): EPSG or PROJ text, or the pseudo-CRS `GCJ02` / `BD09`, taken to WGS84 lon/lat before anything is asked.
/// x is always longitude or easting, y latitude or northing. Without a CRS the numbers are WGS84 lon/lat, checked as
/// such. Holds a PROJ transform: one per command or request.
public final class InputCoordinates {
    /// The CRS given; nil for WGS84.
    public let crs: CRS?
    private let transform: CoordinateTransform?

    /// - Parameter crs: the CRS of the numbers; nil or WGS84 for none.
    /// - Throws: `ModelError.invalidArgument` naming `field` when there is no transformation from it to WGS84.
    public init(_ crs: CRS?, field: String = "crs") throws {
        self.crs = crs
        guard let crs, crs != .wgs84 else {
            transform = nil
            return
        }
        do {
            transform = try CoordinateTransform(from: crs, to: .wgs84)
        } catch {
            throw ModelError.invalidArgument(name: field, reason: "'\(crs)': \(error)")
        }
    }

    /// Parses a CRS text as users give it (`EPSG:n`, a PROJ string, WKT, `GCJ02`, `BD09`); nil or empty for WGS84.
    /// - Throws: `ModelError.invalidArgument` naming `field`.
    public convenience init(text: String?, field: String = "crs") throws {
        guard let text, !text.isEmpty else {
            try self.init(nil, field: field)
            return
        }
        let crs: CRS
        do { crs = try CRS(text) } catch { throw ModelError.invalidArgument(name: field, reason: "\(error)") }
        try self.init(crs, field: field)
    }

    /// The spot (x, y) in WGS84, checked as a longitude/latitude afterwards.
    /// - Throws: `ModelError.invalidArgument` naming `field` (a number that is not finite, a point the CRS cannot take, or
    ///   one that is not a WGS84 longitude/latitude).
    public func spot(x: Double, y: Double, field: String = "lon/lat") throws -> Coordinate {
        guard x.isFinite, y.isFinite else { throw ModelError.invalidArgument(name: field, reason: "(\(x), \(y)) is not a pair of numbers") }
        guard let transform else {
            try UserInput.checkCoordinate(lon: x, lat: y, field: field)
            return Coordinate(x, y)
        }
        let c: Coordinate
        do { c = try transform.apply(Coordinate(x, y)) } catch {
            throw ModelError.invalidArgument(name: field, reason: "(\(x), \(y)) cannot be taken from \(crs!) to WGS84: \(error)")
        }
        guard c.x.isFinite, c.y.isFinite, abs(c.x) <= 180, abs(c.y) <= 90 else {
            throw ModelError.invalidArgument(name: field, reason: "(\(x), \(y)) in \(crs!) is not a place on Earth (WGS84 \(c.x), \(c.y))")
        }
        return c
    }

    /// `X,Y` (as `--near` and `near=` take a spot), in WGS84.
    public func spot(_ text: String, field: String) throws -> Coordinate {
        let p = text.split(separator: ",", omittingEmptySubsequences: false).map { NumberText.decimal($0.trimmingCharacters(in: .whitespaces)) }
        guard p.count == 2, let x = p[0], let y = p[1] else {
            let example = crs == nil ? "LON,LAT (WGS84 degrees, e.g. 24.94,60.17)" : "X,Y in \(crs!)"
            throw ModelError.invalidArgument(name: field, reason: "'\(text)' is not \(example)")
        }
        return try spot(x: x, y: y, field: field)
    }

    /// Every point in place, to WGS84 (a file's points), naming the first bad one `points[i]`.
    public func points(_ points: [Coordinate]) throws -> [Coordinate] {
        guard transform != nil else { return points }
        return try points.enumerated().map { i, p in try spot(x: p.x, y: p.y, field: "points[\(i)]") }
    }
}

/// Coordinates of answers in the CRS a user asks for (`--out-crs`): WGS84 unless told otherwise.
public final class OutputCoordinates {
    /// The CRS asked for; nil for WGS84.
    public let crs: CRS?
    private let transform: CoordinateTransform?

    public init(_ crs: CRS?, field: String = "out-crs") throws {
        self.crs = crs
        guard let crs, crs != .wgs84 else {
            transform = nil
            return
        }
        do { transform = try CoordinateTransform(from: .wgs84, to: crs) } catch {
            throw ModelError.invalidArgument(name: field, reason: "'\(crs)': \(error)")
        }
    }

    /// Whether the answers stay in WGS84.
    public var isWGS84: Bool { transform == nil }

    /// Whether the output is in degrees (WGS84, GCJ02, BD09, geographic CRS) rather than metres.
    public var isGeographic: Bool { crs?.isGeographic ?? true }

    public func apply(_ c: Coordinate) throws -> Coordinate {
        guard let transform else { return c }
        return try transform.apply(c)
    }

    public func apply(to g: Geometry) throws -> Geometry {
        guard let transform else { return g }
        return try transform.apply(to: g)
    }
}

/// Warnings about a spot or box that lies far outside the city's extent and looks swapped (lat,lon) or given in
/// another CRS: the answer is still given (it may be meant), and the warning says what to check.
public enum SpotWarnings {
    /// How far outside the city's extent a spot may lie without a warning: the larger of 50 km and the extent's size.
    static func tolerance(_ extent: Envelope) -> Double {
        max(50_000, Geodesic.distanceMetres(Coordinate(extent.minX, extent.minY), Coordinate(extent.maxX, extent.maxY)))
    }

    /// Metres from `c` to the nearest point of `extent` (0 inside).
    static func distance(_ c: Coordinate, to extent: Envelope) -> Double {
        let nearest = Coordinate(min(max(c.x, extent.minX), extent.maxX), min(max(c.y, extent.minY), extent.maxY))
        return Geodesic.distanceMetres(c, nearest)
    }

    /// The warnings for a spot (WGS84) given as `field`; none when the city has no extent yet or the spot lies within
    /// reach of it.
    public static func forSpot(_ c: Coordinate, field: String, extent: Envelope?, crs: CRS? = nil) -> [String] {
        guard let extent, !extent.contains(c) else { return [] }
        let d = distance(c, to: extent)
        guard d > tolerance(extent) else { return [] }
        var text = "\(field) (\(NumberText.format(c.x, precision: 7)), \(NumberText.format(c.y, precision: 7))) lies "
            + "\(NumberText.format(d / 1000, precision: 0)) km outside the city's extent "
            + "(\(NumberText.format(extent.minX, precision: 4)),\(NumberText.format(extent.minY, precision: 4)),"
            + "\(NumberText.format(extent.maxX, precision: 4)),\(NumberText.format(extent.maxY, precision: 4)))"
        let swapped = Coordinate(c.y, c.x)
        if abs(swapped.y) <= 90, distance(swapped, to: extent) <= tolerance(extent) / 10 {
            text += ": it looks like latitude,longitude swapped (longitude first, then latitude)"
        } else {
            text += ": is it in another CRS? (--crs, or crs= on the service: EPSG:n, GCJ02, BD09; now \(crs?.description ?? "WGS84"))"
        }
        return [text]
    }

    /// The warnings for a box (WGS84 west,south,east,north) given as `field`: when it meets nothing of the city and
    /// lies far from it.
    public static func forBox(_ box: Envelope, field: String, extent: Envelope?) -> [String] {
        guard let extent, !box.intersects(extent) else { return [] }
        let centre = Coordinate((box.minX + box.maxX) / 2, (box.minY + box.maxY) / 2)
        let d = distance(centre, to: extent)
        guard d > tolerance(extent) else { return [] }
        var text = "\(field) (\(box.minX),\(box.minY),\(box.maxX),\(box.maxY)) does not meet the city's extent "
            + "(\(NumberText.format(extent.minX, precision: 4)),\(NumberText.format(extent.minY, precision: 4)),"
            + "\(NumberText.format(extent.maxX, precision: 4)),\(NumberText.format(extent.maxY, precision: 4)))"
        let swapped = Envelope(minX: box.minY, minY: box.minX, maxX: box.maxY, maxY: box.maxX)
        if abs(swapped.minY) <= 90, abs(swapped.maxY) <= 90, swapped.intersects(extent) {
            text += ": it looks like latitude,longitude swapped (give west,south,east,north: longitudes first)"
        } else {
            text += ": is it in another CRS?"
        }
        return [text]
    }
}
