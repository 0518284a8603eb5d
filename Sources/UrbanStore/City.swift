import Foundation
public import UrbanModel

/// Opens and creates cities on either engine from a `DB` argument (a file path or a `postgresql://` URL).
public enum City {
    /// Opens an existing city (applying newer migrations unless `readOnly`).
    public static func open(_ location: DatabaseLocation, readOnly: Bool = false) throws -> any CityStore {
        switch location {
        case .spatiaLite(let path): try UrbanDatabase(path: path, readOnly: readOnly)
        case .postgres(let p): try PostGISDatabase(p, readOnly: readOnly)
        }
    }

    /// Creates an empty city: a new SpatiaLite file, or the UrbanGrid schema in an existing PostgreSQL database.
    public static func create(_ location: DatabaseLocation, timeZone: String) throws -> any CityStore {
        switch location {
        case .spatiaLite(let path): try UrbanDatabase.create(path: path, timeZone: timeZone)
        case .postgres(let p): try PostGISDatabase.create(p, timeZone: timeZone)
        }
    }

    /// The SpatiaLite file of `location`, or an error saying that this command does not run on PostgreSQL yet (the
    /// commands whose queries still read SpatiaLite directly).
    public static func spatiaLitePath(_ location: DatabaseLocation, command: String) throws -> String {
        switch location {
        case .spatiaLite(let path): return path
        case .postgres(let p):
            throw ModelError.database(p.description, reason: """
                '\(command)' runs on SpatiaLite files only so far; 'init', 'import' and 'copy' take PostgreSQL URLs \
                (copy the city to a file with 'urbangrid copy URL FILE' to run it there)
                """)
        }
    }
}
