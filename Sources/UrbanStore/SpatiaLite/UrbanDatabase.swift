public import Foundation
public import SpatialCore
public import UrbanModel

/// The UrbanGrid database: one SpatiaLite file holding every layer (see `LayerSchema`), versioned by
/// migrations, with an R*Tree on every geometry column. Not thread-safe (one connection).
public final class UrbanDatabase {
    public let path: String
    public let store: SpatiaLiteStore

    /// Schema versions, applied in order by `create` and on open.
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "layers", sql: """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """ + LayerSchema.all.map(\.createSQL).joined()),
        derivedColumnsMigration,
        classCodesMigration,
        layerPropertiesMigration,
        hazardHistoryMigration,
        usersMigration,
        casesMigration,
        patrolMigration,
        dutyMigration,
        classKindsMigration,
    ]

    /// Creates a new, empty database. Refuses an existing file (nothing is overwritten).
    /// - Parameter timeZone: IANA name; times without an offset are read in this zone.
    public static func create(path: String, timeZone: String = "Asia/Shanghai") throws -> UrbanDatabase {
        guard TimeZone(identifier: timeZone) != nil else {
            throw ModelError.invalidArgument(name: "timezone", reason: "unknown time zone '\(timeZone)' (an IANA name such as Asia/Shanghai)")
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ModelError.invalidArgument(name: "DB", reason: "\(path) exists already: UrbanGrid does not overwrite a database")
        }
        do {
            let store = try SpatiaLiteStore(path: path, mode: .create)
            _ = try store.initializeSpatialMetadata()
            _ = try store.migrate(migrations)
            _ = try store.run("INSERT INTO meta(key, value) VALUES ('timezone', ?), ('created_by', ?)", timeZone, "urbangrid")
            return UrbanDatabase(path: path, store: store)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }  // no half database
            throw error
        }
    }

    /// Opens an existing UrbanGrid database (applying newer migrations when writable).
    public convenience init(path: String, readOnly: Bool = false) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelError.invalidArgument(name: "DB", reason: "\(path) does not exist: create it with 'urbangrid init'")
        }
        let store = try SpatiaLiteStore(path: path, mode: readOnly ? .readOnly : .readWrite)
        guard try store.tableExists("meta") else {
            throw ModelError.invalidArgument(name: "DB", reason: "\(path) is not an UrbanGrid database (no meta table)")
        }
        if !readOnly { _ = try store.migrate(Self.migrations) }
        self.init(path: path, store: store)
    }

    init(path: String, store: SpatiaLiteStore) {
        self.path = path
        self.store = store
    }

    public var timeZone: String {
        get throws { try store.scalar("SELECT value FROM meta WHERE key = 'timezone'").string ?? "Asia/Shanghai" }
    }

    public func count(_ layer: UrbanModel.Layer) throws -> Int {
        try store.scalar("SELECT count(*) FROM \(LayerSchema.of(layer).table)").int ?? 0
    }

    /// Imports features (WGS84, already checked by `FeatureFile`) into a layer, all or nothing: one
    /// transaction, and the first bad feature (wrong geometry kind, missing or mistyped field, value not
    /// allowed, duplicate id) rejects the whole file with its index and field.
    ///
    /// Derived values are computed in the same transaction (see `UrbanDatabase+Derived.swift`): street
    /// lines are noded (`noding`) and measured (`length_m`), hazards are snapped to the nearest street
    /// segment already stored and located in their grid cell.
    /// - Parameter source: the file name, for error messages.
    /// - Returns: the number of rows stored: for streets the segments after noding (a split feature counts
    ///   once per piece), for every other layer the features.
    @discardableResult
    public func importFeatures(_ features: [Feature], into layer: UrbanModel.Layer, source: String,
                               noding: LayerImport.StreetNoding = .auto) throws -> Int {
        let schema = LayerSchema.of(layer)
        let zone = try cityTimeZone
        let values = LayerImport.columns(of: layer).map { $0 == "geom" ? "GeomFromWKB(?, 4326)" : "?" }
        let sql = "INSERT INTO \(schema.table)(\(LayerImport.columns(of: layer).joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
        return try store.transaction {
            let load = try LayerImport(features, into: layer, source: source, timeZone: zone, classCodes: try classCatalog(),
                                       noding: noding, existing: { try existingLines() })
            try withBulkSpatialIndex(table: schema.geometry == .none ? nil : schema.table, rows: load.rows.count) {
                let insert = try store.prepare(sql)
                for r in load.rows {
                    do {
                        try insert.run(r.bindings)
                    } catch SpatialError.sqlite(_, let message, _) where message.contains("UNIQUE") {
                        throw load.alreadyStored(r)
                    }
                }
            }
            try refreshPropertyKeys(layer)
            return load.rows.count
        }
    }

    /// The streets (by pk) and grid cells (by code) already stored, which hazards are snapped to and located in.
    func existingLines() throws -> LayerImport.Existing {
        var existing = LayerImport.Existing()
        for r in try store.query("SELECT id, AsBinary(geom) g FROM streets WHERE geom IS NOT NULL ORDER BY pk") {
            guard let id = r["id"]?.string, let g = try r["g"]?.geometry(), !g.isEmpty else { continue }
            existing.streets.append((id, g))
        }
        for r in try store.query("SELECT code, AsBinary(geom) g FROM grids WHERE geom IS NOT NULL ORDER BY code, pk") {
            guard let code = r["code"]?.string, let g = try r["g"]?.geometry(), !g.isEmpty else { continue }
            existing.grids.append((code, g))
        }
        return existing
    }

    /// Runs `insert` (a load of `rows` rows into `table`, inside a transaction). For large loads the table's
    /// R*Tree is dropped first and built once afterwards: much faster than updating it row by row.
    public func withBulkSpatialIndex<T>(table: String?, rows: Int, _ insert: () throws -> T) throws -> T {
        guard let table, rows >= 10_000 else { return try insert() }
        _ = try store.scalar("SELECT DisableSpatialIndex('\(table)', 'geom')")
        try store.execute("DROP TABLE IF EXISTS idx_\(table)_geom")
        let result = try insert()
        try store.createSpatialIndex(table: table, column: "geom")
        return result
    }
}

extension UrbanDatabase: CityStore {
    public var displayName: String { path }
    public var engine: StorageEngine { .spatiaLite }
    public var schemaVersion: Int { get throws { try store.schemaVersion } }
}
