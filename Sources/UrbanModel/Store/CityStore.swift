public import SpatialCore

/// The storage engines a city can live in.
public enum StorageEngine: String, Sendable {
    /// One SpatiaLite file (`UrbanDatabase`): the embedded default.
    case spatiaLite = "SpatiaLite"
    /// A PostgreSQL database with PostGIS (the `UrbanStore` target's `PostGISDatabase`).
    case postGIS = "PostgreSQL/PostGIS"
}

/// What the commands ask of a city database on either engine: its settings and counts, all-or-nothing imports
/// (rows made by `LayerImport`, so both engines store the same values) and the class-code tables. The engines
/// implement it (`UrbanDatabase` here, `PostGISDatabase` in `UrbanStore`), which also opens a city by file path or URL.
public protocol CityStore: AnyObject {
    /// The database as it may be shown: a file path, or a URL whose password is `***`.
    var displayName: String { get }
    var engine: StorageEngine { get }
    /// IANA time zone for times written without an offset.
    var timeZone: String { get throws }
    /// The highest schema migration applied (the engines number them alike).
    var schemaVersion: Int { get throws }
    /// Features in a layer.
    func count(_ layer: UrbanModel.Layer) throws -> Int
    /// All-or-nothing import of checked WGS84 features; returns the rows stored (see `UrbanDatabase.importFeatures`).
    @discardableResult
    func importFeatures(_ features: [Feature], into layer: UrbanModel.Layer, source: String, noding: UrbanDatabase.StreetNoding) throws -> Int
    /// Replaces the class-code tables; returns the codes stored.
    @discardableResult
    func loadClassCodes(components: ClassCodeTable, events: ClassCodeTable) throws -> Int
}

extension UrbanDatabase: CityStore {
    public var displayName: String { path }
    public var engine: StorageEngine { .spatiaLite }
    public var schemaVersion: Int { get throws { try store.schemaVersion } }
}
