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
}
