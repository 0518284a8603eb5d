internal import CSpatiaLite

/// One SQLite connection with SpatiaLite linked in (`spatialite_init_ex`), WAL journal, foreign keys on.
/// Not thread-safe and deliberately not Sendable: keep it in one task or actor (one connection per worker).
/// Statements keep their store alive, so the connection outlives every statement prepared on it.
public final class SpatiaLiteStore {
    public enum OpenMode: Sendable {
        /// An existing database, read and written.
        case readWrite
        /// An existing database, read only (no journal-mode change).
        case readOnly
        /// Read and written, created when missing.
        case create
    }

    public let path: String
    public let mode: OpenMode
    private(set) var db: OpaquePointer?
    private var cache: UnsafeMutableRawPointer?
    private var savepointDepth = 0
    var liveStatements = 0  // counted by Statement.init/deinit; close() refuses while any is alive

    /// Opens `path` (`":memory:"` for an in-memory database) and enables SpatiaLite on the connection.
    /// - Throws: `SpatialError.sqlite` when the file cannot be opened or configured (e.g. WAL not accepted).
    public init(path: String, mode: OpenMode = .create, busyTimeoutMilliseconds: Int = 5_000) throws {
        self.path = path
        self.mode = mode
        let access: Int32 = switch mode {
        case .readWrite: SQLITE_OPEN_READWRITE
        case .readOnly: SQLITE_OPEN_READONLY
        case .create: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var h: OpaquePointer?
        let rc = sqlite3_open_v2(path, &h, access | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let h else {
            let message = h.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(h)  // a handle is usually returned even on failure
            throw SpatialError.sqlite(code: Int(rc), message: "cannot open '\(path)' (\(mode)): \(message)", sql: nil)
        }
        db = h
        cache = spatialite_alloc_connection()
        spatialite_init_ex(h, cache, 0)
        do {
            sqlite3_busy_timeout(h, Int32(clamping: busyTimeoutMilliseconds))
            // 32 MiB page cache: bulk loads and index builds stay in memory instead of re-reading pages
            try execute("PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768")
            if mode != .readOnly {
                // WAL with synchronous=NORMAL: commits survive a crash of the process; only a power loss
                // can lose the last commits (never corrupts), SQLite's recommended setting for WAL
                let journal = try scalar("PRAGMA journal_mode = WAL").string?.lowercased()
                let inMemory = path.isEmpty || path == ":memory:"  // these report "memory" (or "delete")
                guard journal == "wal" || inMemory else {
                    throw SpatialError.sqlite(
                        code: Int(SQLITE_ERROR), message: "journal_mode is '\(journal ?? "NULL")', expected 'wal'",
                        sql: "PRAGMA journal_mode = WAL")
                }
                try execute("PRAGMA synchronous = NORMAL")
            }
        } catch {
            try? close()
            throw error
        }
    }

    deinit {
        // Statements retain the store, so none is left here. Order: connection first, then SpatiaLite's cache.
        sqlite3_close_v2(db)
        if let cache { spatialite_cleanup_ex(cache) }
    }

    /// While set, a statement running on this connection past this instant stops with `SpatialError.sqlite` code 9
    /// (SQLITE_INTERRUPT): SQLite's progress handler checks the clock every 1000 virtual-machine steps, on the
    /// connection's own thread, so no other thread (which a loaded machine may not schedule in time) is involved.
    public var deadline: ContinuousClock.Instant? {
        didSet {
            guard let db else { return }
            if deadline == nil {
                sqlite3_progress_handler(db, 0, nil, nil)
            } else if oldValue == nil {
                // userdata is unretained self: the handler is removed with the connection (or when deadline is nil)
                sqlite3_progress_handler(db, 1000, { userdata in
                    guard let userdata else { return 0 }
                    let store = Unmanaged<SpatiaLiteStore>.fromOpaque(userdata).takeUnretainedValue()
                    guard let deadline = store.deadline else { return 0 }
                    return ContinuousClock.now >= deadline ? 1 : 0  // non-zero interrupts the statement
                }, Unmanaged.passUnretained(self).toOpaque())
            }
        }
    }

    /// Closes the connection. Idempotent. Throws (and stays open) while statements prepared on it are alive.
    public func close() throws {
        guard let h = db else { return }
        // Not sqlite3_next_stmt: virtual tables (the R*Trees) keep prepared statements of their own.
        guard liveStatements == 0 else {
            throw SpatialError.sqlite(
                code: Int(SQLITE_BUSY), message: "cannot close '\(path)': \(liveStatements) statement(s) still alive",
                sql: nil)
        }
        sqlite3_close_v2(h)
        if let cache { spatialite_cleanup_ex(cache) }
        db = nil
        cache = nil
    }

    public var isOpen: Bool { db != nil }

    /// The open handle, or an error naming the SQL that wanted it.
    func handle(for sql: String?) throws -> OpaquePointer {
        guard let db else {
            throw SpatialError.sqlite(code: Int(SQLITE_MISUSE), message: "the store '\(path)' is closed", sql: sql)
        }
        return db
    }

    func error(_ rc: Int32, sql: String?) -> SpatialError {
        .sqlite(code: Int(rc), message: db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed", sql: sql)
    }

    // MARK: SQL

    public func prepare(_ sql: String) throws -> Statement { try Statement(store: self, sql: sql) }

    /// Runs a script of one or more statements (no parameters, rows are discarded).
    public func execute(_ sql: String) throws {
        let h = try handle(for: sql)
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(h, sql, nil, nil, &err)
        guard rc == SQLITE_OK else {
            let message = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(h))
            sqlite3_free(err)
            throw SpatialError.sqlite(code: Int(rc), message: message, sql: sql)
        }
    }

    /// Runs one statement with positional parameters; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ parameters: (any SQLBindable)?...) throws -> Int {
        try prepare(sql).run(parameters)
        return Int(sqlite3_changes64(try handle(for: sql)))
    }

    /// Every row of one statement with positional parameters.
    public func query(_ sql: String, _ parameters: (any SQLBindable)?...) throws -> [SQLRow] {
        let st = try prepare(sql)
        try st.bind(parameters)
        return try st.rows()
    }

    /// The first column of the first row (`.null` when there is no row).
    public func scalar(_ sql: String, _ parameters: (any SQLBindable)?...) throws -> SQLValue {
        let st = try prepare(sql)
        try st.bind(parameters)
        return try st.step() ? st.value(0) : .null
    }

    public var lastInsertRowID: Int64 { db.map { sqlite3_last_insert_rowid($0) } ?? 0 }
    public var isInTransaction: Bool { db.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    /// Runs `body` in `BEGIN IMMEDIATE` … `COMMIT`, or in a savepoint when a transaction is already open.
    /// Anything `body` throws rolls the whole (inner) unit back and is rethrown: nothing partial stays.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let nested = isInTransaction
        let name = "ug_sp\(savepointDepth)"
        try execute(nested ? "SAVEPOINT \(name)" : "BEGIN IMMEDIATE")
        if nested { savepointDepth += 1 }
        defer { if nested { savepointDepth -= 1 } }
        do {
            let result = try body()
            try execute(nested ? "RELEASE \(name)" : "COMMIT")
            return result
        } catch {
            if isInTransaction {  // SQLite may already have rolled back by itself
                try? execute(nested ? "ROLLBACK TO \(name); RELEASE \(name)" : "ROLLBACK")
            }
            throw error
        }
    }

    // MARK: SpatiaLite

    /// Creates SpatiaLite's metadata tables (all EPSG SRIDs) unless `spatial_ref_sys` exists.
    /// Must run outside a transaction. Returns true when it created them now.
    @discardableResult
    public func initializeSpatialMetadata() throws -> Bool {
        let sql = "SELECT InitSpatialMetaData(1)"
        guard !isInTransaction else {
            throw SpatialError.sqlite(
                code: Int(SQLITE_MISUSE), message: "InitSpatialMetaData cannot run inside a transaction", sql: sql)
        }
        if try tableExists("spatial_ref_sys") { return false }
        guard try scalar(sql).int == 1 else {
            throw SpatialError.sqlite(code: Int(SQLITE_ERROR), message: "InitSpatialMetaData returned 0", sql: sql)
        }
        return true
    }

    public func tableExists(_ name: String) throws -> Bool {
        try scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).int == 1
    }

    public var spatialiteVersion: String { get throws { try scalar("SELECT spatialite_version()").string ?? "" } }
    public var geosVersion: String { get throws { try scalar("SELECT geos_version()").string ?? "" } }
    public var projVersion: String { get throws { try scalar("SELECT proj_version()").string ?? "" } }

    /// `AddGeometryColumn(table, column, srid, type, dimension)`; `type` is e.g. "POINT", "MULTIPOLYGON", "GEOMETRY".
    public func addGeometryColumn(table: String, column: String, srid: Int, type: String, dimension: String = "XY") throws {
        try expectOne(
            "SELECT AddGeometryColumn(?, ?, ?, ?, ?)", [table, column, srid, type, dimension],
            hint: "no such table, column already there, unknown SRID or type, or no spatial metadata")
    }

    /// `CreateSpatialIndex(table, column)`: the R*Tree `idx_<table>_<column>` plus its sync triggers.
    public func createSpatialIndex(table: String, column: String) throws {
        try expectOne("SELECT CreateSpatialIndex(?, ?)", [table, column], hint: "no such geometry column")
    }

    /// `CheckSpatialIndex(table, column)`: true when the R*Tree agrees with the table.
    public func checkSpatialIndex(table: String, column: String) throws -> Bool {
        let sql = "SELECT CheckSpatialIndex(?, ?)"
        guard let v = try scalar(sql, table, column).int else {
            throw SpatialError.sqlite(
                code: Int(SQLITE_ERROR), message: "no spatial index on \(table).\(column)", sql: sql)
        }
        return v == 1
    }

    /// Row ids whose bounding box meets `envelope`, read straight from the R*Tree `idx_<table>_<column>`
    /// (faster than the `SpatialIndex` virtual table), ascending. The R*Tree keeps float32 boxes
    /// rounded outward, so this is a candidate filter: apply an exact predicate where it matters.
    public func rowids(inEnvelope envelope: Envelope, table: String, column: String) throws -> [Int64] {
        let index = "\"" + "idx_\(table)_\(column)".replacingAll("\"", with: "\"\"") + "\""
        let st = try prepare(
            "SELECT pkid FROM \(index) WHERE xmin <= :maxx AND xmax >= :minx AND ymin <= :maxy AND ymax >= :miny ORDER BY pkid")
        try st.bind([":minx": envelope.minX, ":miny": envelope.minY, ":maxx": envelope.maxX, ":maxy": envelope.maxY])
        var ids: [Int64] = []
        try st.forEach { ids.append(try $0.int64(0) ?? 0) }
        return ids
    }

    private func expectOne(_ sql: String, _ parameters: [(any SQLBindable)?], hint: String) throws {
        let st = try prepare(sql)
        try st.bind(parameters)
        guard try st.step(), try st.int(0) == 1 else {
            let args = parameters.map { $0.map { "\($0)" } ?? "NULL" }.joined(separator: ", ")
            throw SpatialError.sqlite(code: Int(SQLITE_ERROR), message: "returned 0 for (\(args)): \(hint)", sql: sql)
        }
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
