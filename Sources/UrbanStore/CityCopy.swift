import Foundation
public import SpatialCore
public import UrbanModel

/// Moves a whole city from one database to another, either engine to either engine: every row of every layer
/// with its `pk` (so that every answer ordered by it is the same), its derived values as stored, the class codes,
/// the property keys and the time zone. All or nothing: the destination is written in one transaction (a new
/// SpatiaLite file is removed again on failure), and each layer's count is checked against the source.
public enum CityCopy {
    public struct LayerCount: Sendable, Equatable {
        public var layer: UrbanModel.Layer
        public var rows: Int
    }

    /// Rows are read and written this many at a time (memory stays flat in the size of the city).
    static let batchRows = 5_000

    /// - Parameters:
    ///   - layers: the layers to copy (all when nil); the others stay empty.
    ///   - progress: called after each batch with the layer and the rows copied of it so far.
    /// - Returns: the rows copied per layer, in `Layer.allCases` order.
    @discardableResult
    public static func copy(from source: DatabaseLocation, to destination: DatabaseLocation, layers: [UrbanModel.Layer]? = nil,
                            progress: (UrbanModel.Layer, Int) -> Void = { _, _ in }) throws -> [LayerCount] {
        if case .spatiaLite(let a) = source, case .spatiaLite(let b) = destination,
           URL(fileURLWithPath: a).standardizedFileURL == URL(fileURLWithPath: b).standardizedFileURL {
            throw ModelError.invalidArgument(name: "DST", reason: "is the source itself")
        }
        let from = try rowSource(source)
        let zone = try from.timeZone
        let chosen = UrbanModel.Layer.allCases.filter { layers?.contains($0) ?? true }
        switch destination {
        case .spatiaLite(let path):
            let db = try UrbanDatabase.create(path: path, timeZone: zone)  // refuses an existing file
            do {
                return try db.store.transaction { try copyRows(from: from, to: db, layers: chosen, progress: progress) }
            } catch {
                try? db.store.close()
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                throw error
            }
        case .postgres(let location):
            let connection = try PGConnection(location)
            defer { connection.close() }
            return try connection.transaction {
                try PostGISDatabase.prepareCopyDestination(connection, timeZone: zone)
                let db = PostGISDatabase(location, connection: connection)
                return try copyRows(from: from, to: db, layers: chosen, progress: progress)
            }
        }
    }

    static func rowSource(_ location: DatabaseLocation) throws -> any CityRows {
        switch location {
        case .spatiaLite(let path): try UrbanDatabase(path: path, readOnly: true)
        case .postgres(let p): try PostGISDatabase(p, readOnly: true)
        }
    }

    static func copyRows(from: any CityRows, to: any CityRows, layers: [UrbanModel.Layer],
                         progress: (UrbanModel.Layer, Int) -> Void) throws -> [LayerCount] {
        try to.replaceClassCodes(try from.classCodeRows())
        var counts: [LayerCount] = []
        for layer in layers {
            let expected = try from.count(layer)
            var copied = 0
            try to.appendRows(layer, expected: expected) { write in
                try from.readRows(layer, batchRows: batchRows) { batch in
                    try write(batch)
                    copied += batch.count
                    progress(layer, copied)
                }
            }
            let stored = try to.count(layer)
            guard copied == expected, stored == expected else {
                throw ModelError.database(to.displayName, reason: "layer \(layer.rawValue): \(expected) rows in the source, \(copied) read, \(stored) stored")
            }
            counts.append(LayerCount(layer: layer, rows: copied))
        }
        try to.replacePropertyKeys(try from.propertyKeyRows().filter { row in layers.contains { $0.rawValue == row.first?.string } })
        if layers.contains(.hazards) {  // the hazards' status history goes with them
            let events = try from.hazardEventRows()
            try to.appendHazardEvents(events)
            guard try to.hazardEventRows().count == events.count else {
                throw ModelError.database(to.displayName, reason: "hazard history: \(events.count) events in the source, another number stored")
            }
        }
        // the users (their token hashes, so tokens keep working) go with the whole city
        if layers.count == UrbanModel.Layer.allCases.count {
            let users = try from.userRows()
            try to.appendUsers(users)
            guard try to.userRows().count == users.count else {
                throw ModelError.database(to.displayName, reason: "users: \(users.count) in the source, another number stored")
            }
            // and so does the case loop: reference tables, cases, their histories, idempotency keys
            _ = try CaseCopy.copy(from: from, to: to)
            // and the frontage units (门前三包) built over its POIs and streets
            if let source = from as? any FrontageStore, let target = to as? any FrontageStore {
                try target.replaceFrontageUnits(try source.frontageUnits())
            }
        }
        return counts
    }
}

/// What `copy` asks of each engine: rows in `StoredColumn.of(layer)` order as neutral values (integers, reals,
/// text; booleans 0/1, times ISO 8601 text in the city's zone, geometries ISO WKB), read in batches and written
/// inside the caller's transaction.
protocol CityRows: CityStore {
    func readRows(_ layer: UrbanModel.Layer, batchRows: Int, _ body: ([[SQLValue]]) throws -> Void) throws
    /// Calls `body` with a writer of batches; `expected` rows will come (SpatiaLite builds large R*Trees once).
    func appendRows(_ layer: UrbanModel.Layer, expected: Int, _ body: (_ write: ([[SQLValue]]) throws -> Void) throws -> Void) throws
    /// `code, kind, major, name_zh, name_en, source_file`.
    func classCodeRows() throws -> [[SQLValue]]
    func replaceClassCodes(_ rows: [[SQLValue]]) throws
    /// `layer, key, types, position`.
    func propertyKeyRows() throws -> [[SQLValue]]
    func replacePropertyKeys(_ rows: [[SQLValue]]) throws
    /// `hazard_id, from_status, to_status, at (ISO 8601 text in the city's zone), note, by_user`, oldest first.
    func hazardEventRows() throws -> [[SQLValue]]
    func appendHazardEvents(_ rows: [[SQLValue]]) throws
    /// `name, role, department_id, district, token_id, token_salt, token_hash, created_at, revoked_at` (times ISO 8601
    /// text in the city's zone), by name.
    func userRows() throws -> [[SQLValue]]
    func appendUsers(_ rows: [[SQLValue]]) throws
    /// A case-loop table's rows (`CaseCopy`), in its order.
    func caseTableRows(_ table: CaseCopy.Table) throws -> [[SQLValue]]
    func appendCaseTableRows(_ table: CaseCopy.Table, _ rows: [[SQLValue]]) throws
}

let classCodeColumns = ["code", "kind", "major", "name_zh", "name_en", "source_file"]
let propertyKeyColumns = ["layer", "key", "types", "position"]

extension UrbanDatabase: CityRows {
    func readRows(_ layer: UrbanModel.Layer, batchRows: Int, _ body: ([[SQLValue]]) throws -> Void) throws {
        let version = try schemaVersion  // a source of an older schema (opened read-only, not migrated) lacks newer columns
        let names = StoredColumn.of(layer).map { $0.since > version ? "NULL" : $0.kind == .geometry ? "AsBinary(geom)" : $0.name }
        let st = try store.prepare("SELECT \(names.joined(separator: ", ")) FROM \(LayerSchema.of(layer).table) ORDER BY pk")
        var batch: [[SQLValue]] = []
        while try st.step() {
            batch.append(try (0..<names.count).map { try st.value($0) })
            if batch.count == batchRows {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try body(batch) }
    }

    func appendRows(_ layer: UrbanModel.Layer, expected: Int, _ body: (([[SQLValue]]) throws -> Void) throws -> Void) throws {
        let schema = LayerSchema.of(layer)
        let columns = StoredColumn.of(layer)
        let values = columns.map { $0.kind == .geometry ? "GeomFromWKB(?, 4326)" : "?" }
        let insert = try store.prepare("INSERT INTO \(schema.table)(\(columns.map(\.name).joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))")
        try withBulkSpatialIndex(table: schema.geometry == .none ? nil : schema.table, rows: expected) {
            try body { rows in
                for r in rows { try insert.run(r) }
            }
        }
    }

    func classCodeRows() throws -> [[SQLValue]] {
        try store.query("SELECT \(classCodeColumns.joined(separator: ", ")) FROM class_codes ORDER BY kind, code").map(\.values)
    }

    func replaceClassCodes(_ rows: [[SQLValue]]) throws {
        try store.execute("DELETE FROM class_codes")
        let insert = try store.prepare("INSERT INTO class_codes(\(classCodeColumns.joined(separator: ", "))) VALUES (?, ?, ?, ?, ?, ?)")
        for r in rows { try insert.run(r) }
    }

    func propertyKeyRows() throws -> [[SQLValue]] {
        try store.query("SELECT \(propertyKeyColumns.joined(separator: ", ")) FROM layer_properties ORDER BY layer, position").map(\.values)
    }

    func replacePropertyKeys(_ rows: [[SQLValue]]) throws {
        try store.execute("DELETE FROM layer_properties")
        let insert = try store.prepare("INSERT INTO layer_properties(\(propertyKeyColumns.joined(separator: ", "))) VALUES (?, ?, ?, ?)")
        for r in rows { try insert.run(r) }
    }
}

extension PostGISDatabase: CityRows {
    /// Reads through a server-side cursor, `batchRows` at a time, inside a transaction of its own (or the caller's).
    func readRows(_ layer: UrbanModel.Layer, batchRows: Int, _ body: ([[SQLValue]]) throws -> Void) throws {
        let columns = StoredColumn.of(layer)
        let version = try schemaVersion  // a source of an older schema (opened read-only, not migrated) lacks newer columns
        let names = columns.map { c in
            if c.since > version { return "NULL" }
            return switch c.kind {
            case .geometry: "ST_AsBinary(geom)"
            case .time: "extract(epoch FROM \(c.name))::float8"
            default: c.name
            }
        }
        let zone = try cityTimeZone
        let timeColumns = columns.indices.filter { columns[$0].kind == .time }
        try connection.transaction {
            try self.connection.execute("DECLARE urbangrid_rows NO SCROLL CURSOR FOR SELECT \(names.joined(separator: ", ")) FROM \(LayerSchema.of(layer).table) ORDER BY pk")
            while true {
                var batch = try self.connection.query("FETCH FORWARD \(batchRows) FROM urbangrid_rows")
                if batch.isEmpty { break }
                for i in batch.indices {
                    for k in timeColumns {
                        if let seconds = batch[i][k].double {
                            batch[i][k] = .text(ISOTime.string(Date(timeIntervalSince1970: seconds), in: zone))
                        }
                    }
                }
                try body(batch)
            }
            try self.connection.execute("CLOSE urbangrid_rows")
        }
    }

    func appendRows(_ layer: UrbanModel.Layer, expected: Int, _ body: (([[SQLValue]]) throws -> Void) throws -> Void) throws {
        let table = LayerSchema.of(layer).table
        let columns = StoredColumn.of(layer)
        try body { rows in
            var lines: [UInt8] = []
            for r in rows { try CopyText.append(r, columns, to: &lines) }
            try connection.copy(into: table, columns: columns.map(\.name), lines: lines)
        }
        // the identity goes on after the highest pk copied
        try connection.execute("SELECT setval(pg_get_serial_sequence('\(table)', 'pk'), coalesce(max(pk), 0) + 1, false) FROM \(table)")
        try refreshExtent(layer)
    }

    func classCodeRows() throws -> [[SQLValue]] {
        try connection.query("SELECT \(classCodeColumns.joined(separator: ", ")) FROM class_codes ORDER BY kind, code")
    }

    func replaceClassCodes(_ rows: [[SQLValue]]) throws {
        try connection.execute("DELETE FROM class_codes")
        var lines: [UInt8] = []
        for r in rows { try CopyText.append(r, classCodeColumns.map { StoredColumn(name: $0, kind: .text) }, to: &lines) }
        if !lines.isEmpty { try connection.copy(into: "class_codes", columns: classCodeColumns, lines: lines) }
    }

    func propertyKeyRows() throws -> [[SQLValue]] {
        try connection.query("SELECT \(propertyKeyColumns.joined(separator: ", ")) FROM layer_properties ORDER BY layer, position")
    }

    func replacePropertyKeys(_ rows: [[SQLValue]]) throws {
        try connection.execute("DELETE FROM layer_properties")
        let columns = [StoredColumn(name: "layer", kind: .text), StoredColumn(name: "key", kind: .text),
                       StoredColumn(name: "types", kind: .text), StoredColumn(name: "position", kind: .integer)]
        var lines: [UInt8] = []
        for r in rows { try CopyText.append(r, columns, to: &lines) }
        if !lines.isEmpty { try connection.copy(into: "layer_properties", columns: propertyKeyColumns, lines: lines) }
    }

    /// A copy's destination (inside the copy's transaction): a database without an UrbanGrid schema gets one; one
    /// with a schema must hold no features yet (it takes the source's time zone).
    static func prepareCopyDestination(_ connection: PGConnection, timeZone: String) throws {
        let hasSchema = try connection.scalar("""
            SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('meta', 'schema_migrations')
            """).int == 2
        guard hasSchema else { return try createSchema(on: connection, timeZone: timeZone) }
        let db = PostGISDatabase(connection.location, connection: connection)
        let version = try db.schemaVersion
        guard version == newestVersion else {
            throw ModelError.database(connection.location.description, reason: "is at schema version \(version), this UrbanGrid writes \(newestVersion): open it with 'urbangrid import' once (or use a new database)")
        }
        let held = try UrbanModel.Layer.allCases.filter { try db.count($0) > 0 }
        guard held.isEmpty else {
            throw ModelError.database(connection.location.description, reason: "holds a city already (layers \(held.map(\.rawValue).joined(separator: ", "))): copy into a new or empty database")
        }
        try connection.execute("UPDATE meta SET value = $1 WHERE key = 'timezone'", [.text(timeZone)])
    }
}
