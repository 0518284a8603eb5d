/// The one error type of the spatial core. Every case carries what went wrong and, where it
/// applies, where: the library's own message, the JSON path or feature index, the SQL.
public enum SpatialError: Error, Hashable, Sendable, CustomStringConvertible {
    /// GEOS reported an exception (its captured message, e.g. "TopologyException: ...").
    case geos(message: String)
    /// PROJ failed (errno and the logged message, e.g. "proj_create: crs not found").
    case proj(code: Int, message: String)
    /// SQLite or SpatiaLite failed.
    case sqlite(code: Int, message: String, sql: String?)
    /// A geometry value breaks a structural rule (ring not closed, too few positions...).
    case invalidGeometry(reason: String)
    /// Malformed WKT, WKB or GeoJSON text: `location` says where (JSON path, feature index, offset).
    case parse(format: String, location: String, message: String)
    /// A CRS text that neither PROJ nor UrbanGrid understands.
    case unknownCRS(String)
    /// A coordinate that a transform could not map (outside the projection's domain).
    case transformFailed(index: Int, x: Double, y: Double, message: String)
    /// A schema migration could not be applied.
    case migration(version: Int, message: String)
    /// A file could not be created, written or renamed (`message` is the system's, e.g. "Permission denied").
    case io(path: String, message: String)
    /// A MIP model breaks a structural rule (column index out of range, NaN coefficient, bounds crossed).
    case invalidModel(reason: String)
    /// The MIP solver (CBC) gave up for a reason that is not an outcome of the model (numerical trouble).
    case solver(message: String)

    public var description: String {
        switch self {
        case .geos(let m): "GEOS: \(m)"
        case .proj(let c, let m): "PROJ (\(c)): \(m)"
        case .sqlite(let c, let m, let sql): "SQLite (\(c)): \(m)" + (sql.map { " in: \($0)" } ?? "")
        case .invalidGeometry(let r): "invalid geometry: \(r)"
        case .parse(let f, let l, let m): "\(f) at \(l): \(m)"
        case .unknownCRS(let s): "unknown CRS '\(s)': use EPSG:n, a PROJ string, WKT, GCJ02 or BD09"
        case .transformFailed(let i, let x, let y, let m): "cannot transform coordinate \(i) (\(x), \(y)): \(m)"
        case .migration(let v, let m): "schema migration \(v) failed: \(m)"
        case .io(let p, let m): "cannot write \(p): \(m)"
        case .invalidModel(let r): "invalid MIP model: \(r)"
        case .solver(let m): "MIP solver: \(m)"
        }
    }
}
