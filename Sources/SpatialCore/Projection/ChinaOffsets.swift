#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Chinese web-map coordinate offsets that PROJ does not implement (PROJ issue #982, wontfix).
///
/// All coordinates are `Coordinate(x: longitude, y: latitude)` in decimal degrees.
/// - GCJ-02 ("Mars coordinates", AMap/Gaode, Tencent, Apple Maps in China): the published
///   forward algorithm with the Krasovsky constants, offsets of roughly 100–700 m.
/// - BD-09 (Baidu): a further shift of GCJ-02 of roughly 1 km.
///
/// Outside the eviltransform box (see `isOutsideChina(_:)`) every conversion is the identity.
/// The test is applied to the input of each single conversion, so near the box edges a
/// chained conversion can differ from what a library using another box would produce.
public enum ChinaOffsets {
    /// Krasovsky 1940 semi-major axis, metres, as in the published algorithm.
    static let a = 6378245.0
    /// Krasovsky first eccentricity squared.
    static let ee = 0.00669342162296594323
    /// `π·3000/180`, the BD-09 angular constant.
    static let xPi = Double.pi * 3000.0 / 180.0
    /// Convergence threshold of the iterative inverses, degrees.
    static let tolerance = 1e-12
    /// Iteration cap of the iterative inverses (they converge in 3–5 steps inside China).
    static let maxIterations = 30

    // MARK: Box

    /// Whether `c` lies outside the eviltransform box, i.e. NOT
    /// (72.004 ≤ lon ≤ 137.8347 and 0.8293 ≤ lat ≤ 55.8271). Bounds are inclusive, degrees.
    /// The box is coarse: it includes parts of neighbouring countries and the sea.
    public static func isOutsideChina(_ c: Coordinate) -> Bool {
        !(72.004...137.8347).contains(c.x) || !(0.8293...55.8271).contains(c.y)
    }

    // MARK: GCJ-02

    /// WGS 84 → GCJ-02, degrees. Exact (this *is* the definition of GCJ-02); identity outside China.
    public static func wgs84ToGCJ02(_ c: Coordinate) -> Coordinate {
        if isOutsideChina(c) { return c }
        let d = offset(c)
        return Coordinate(c.x + d.x, c.y + d.y)
    }

    /// GCJ-02 → WGS 84, degrees, by fixed-point iteration `w ← w − (gcj(w) − g)` from `w = g`
    /// until both components of the step are below 1e-12° (at most 30 iterations).
    /// Accuracy: the forward conversion of the result reproduces the input to about 1e-14°
    /// (well under 1 mm). Identity outside China.
    public static func gcj02ToWGS84(_ c: Coordinate) -> Coordinate {
        if isOutsideChina(c) { return c }
        return refine(start: c, target: c, forward: wgs84ToGCJ02)
    }

    /// GCJ-02 → WGS 84, degrees, in one step: `g − Δ(g)` (coordtransform's `gcj02towgs84`).
    /// Accuracy: about 0.3–4.4 m inside China. Use `gcj02ToWGS84(_:)` wherever that matters.
    /// Identity outside China.
    public static func gcj02ToWGS84OneStep(_ c: Coordinate) -> Coordinate {
        if isOutsideChina(c) { return c }
        let d = offset(c)
        return Coordinate(c.x - d.x, c.y - d.y)
    }

    // MARK: BD-09

    /// GCJ-02 → BD-09, degrees. Exact (the definition of BD-09); identity outside China.
    public static func gcj02ToBD09(_ c: Coordinate) -> Coordinate {
        if isOutsideChina(c) { return c }
        let (x, y) = (c.x, c.y)
        let z = (x * x + y * y).squareRoot() + 0.00002 * sin(y * xPi)
        let theta = atan2(y, x) + 0.000003 * cos(x * xPi)
        return Coordinate(z * cos(theta) + 0.0065, z * sin(theta) + 0.006)
    }

    /// BD-09 → GCJ-02, degrees, by the usual closed-form approximation (remove the 0.0065/0.006
    /// shift, then undo the polar perturbation with the signs reversed).
    /// Accuracy: round trips differ by about 0.02–0.2 m. Identity outside China.
    public static func bd09ToGCJ02Closed(_ c: Coordinate) -> Coordinate {
        if isOutsideChina(c) { return c }
        let (x, y) = (c.x - 0.0065, c.y - 0.006)
        let z = (x * x + y * y).squareRoot() - 0.00002 * sin(y * xPi)
        let theta = atan2(y, x) - 0.000003 * cos(x * xPi)
        return Coordinate(z * cos(theta), z * sin(theta))
    }

    /// BD-09 → GCJ-02, degrees: `bd09ToGCJ02Closed(_:)` refined by fixed-point iteration against
    /// `gcj02ToBD09(_:)` until the step is below 1e-12° (at most 30 iterations).
    /// Accuracy: about 1e-14°. Identity outside China.
    public static func bd09ToGCJ02(_ c: Coordinate) -> Coordinate {
        if isOutsideChina(c) { return c }
        return refine(start: bd09ToGCJ02Closed(c), target: c, forward: gcj02ToBD09)
    }

    /// WGS 84 → BD-09, degrees: `gcj02ToBD09(wgs84ToGCJ02(c))`. Exact.
    public static func wgs84ToBD09(_ c: Coordinate) -> Coordinate {
        gcj02ToBD09(wgs84ToGCJ02(c))
    }

    /// BD-09 → WGS 84, degrees: `gcj02ToWGS84(bd09ToGCJ02(c))`, both iterative.
    /// Accuracy: about 1e-14° (far below 1 mm).
    public static func bd09ToWGS84(_ c: Coordinate) -> Coordinate {
        gcj02ToWGS84(bd09ToGCJ02(c))
    }

    // MARK: Internals

    /// The GCJ-02 offset (Δlon, Δlat) in degrees at WGS 84 position `c` (no box test).
    static func offset(_ c: Coordinate) -> Coordinate {
        let x = c.x - 105.0, y = c.y - 35.0
        let xp = x * Double.pi, yp = y * Double.pi
        let common = (20.0 * sin(6.0 * xp) + 20.0 * sin(2.0 * xp)) * 2.0 / 3.0
        var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs(x).squareRoot()
        dLat += common
        dLat += (20.0 * sin(yp) + 40.0 * sin(yp / 3.0)) * 2.0 / 3.0
        dLat += (160.0 * sin(yp / 12.0) + 320.0 * sin(yp / 30.0)) * 2.0 / 3.0
        var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs(x).squareRoot()
        dLon += common
        dLon += (20.0 * sin(xp) + 40.0 * sin(xp / 3.0)) * 2.0 / 3.0
        dLon += (150.0 * sin(xp / 12.0) + 300.0 * sin(xp / 30.0)) * 2.0 / 3.0

        // dLat/dLon are arc lengths in metres on the Krasovsky ellipsoid; convert to degrees.
        let radLat = c.y / 180.0 * Double.pi
        let s = sin(radLat)
        let magic = 1.0 - ee * s * s
        let sqrtMagic = magic.squareRoot()
        return Coordinate(
            (dLon * 180.0) / (a / sqrtMagic * cos(radLat) * Double.pi),
            (dLat * 180.0) / ((a * (1.0 - ee)) / (magic * sqrtMagic) * Double.pi))
    }

    /// Solves `forward(p) == target` by `p ← p − (forward(p) − target)`, starting at `start`.
    static func refine(start: Coordinate, target: Coordinate, forward: (Coordinate) -> Coordinate) -> Coordinate {
        var p = start
        for _ in 0..<maxIterations {
            let f = forward(p)
            let dx = f.x - target.x, dy = f.y - target.y
            p = Coordinate(p.x - dx, p.y - dy)
            if abs(dx) < tolerance && abs(dy) < tolerance { break }
        }
        return p
    }
}

/// A Chinese web-map pseudo-CRS: not in EPSG, handled by `ChinaOffsets` instead of PROJ.
public enum ChinaOffsetSystem: String, Sendable, CaseIterable {
    case gcj02 = "GCJ02"
    case bd09 = "BD09"

    /// Parses `GCJ02`/`GCJ-02` or `BD09`/`BD-09`, case-insensitively; nil for anything else.
    public init?(name: String) {
        switch name.uppercased() {
        case "GCJ02", "GCJ-02": self = .gcj02
        case "BD09", "BD-09": self = .bd09
        default: return nil
        }
    }

    /// Converts `c` (lon, lat degrees in this system) to WGS 84 with the iterative inverses.
    public func toWGS84(_ c: Coordinate) -> Coordinate {
        switch self {
        case .gcj02: ChinaOffsets.gcj02ToWGS84(c)
        case .bd09: ChinaOffsets.bd09ToWGS84(c)
        }
    }

    /// Converts WGS 84 `c` (lon, lat degrees) into this system.
    public func fromWGS84(_ c: Coordinate) -> Coordinate {
        switch self {
        case .gcj02: ChinaOffsets.wgs84ToGCJ02(c)
        case .bd09: ChinaOffsets.wgs84ToBD09(c)
        }
    }
}
