internal import CGEOS
internal import CPROJ
internal import CSpatiaLite

/// Versions of the C libraries linked in.
public enum SpatialLibraries {
    public static var geos: String { String(cString: GEOSversion()) }
    public static var proj: String { "\(PROJ_VERSION_MAJOR).\(PROJ_VERSION_MINOR).\(PROJ_VERSION_PATCH)" }
    public static var spatialite: String { String(cString: spatialite_version()) }
    public static var sqlite: String { String(cString: sqlite3_libversion()) }
    public static var versions: String { "GEOS \(geos), PROJ \(proj), SpatiaLite \(spatialite), SQLite \(sqlite)" }
}
