/// One versioned schema step: a SQL script or a closure, applied once inside its own transaction.
/// `InitSpatialMetaData` cannot run in a transaction: call `initializeSpatialMetadata()` before `migrate`.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let apply: @Sendable (SpatiaLiteStore) throws -> Void

    public init(version: Int, name: String, sql: String) {
        self.init(version: version, name: name) { try $0.execute(sql) }
    }

    public init(version: Int, name: String, _ apply: @escaping @Sendable (SpatiaLiteStore) throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }
}

extension SpatiaLiteStore {
    /// The highest applied migration version (0 when none, or no `schema_migrations` table).
    public var schemaVersion: Int {
        get throws {
            guard try tableExists("schema_migrations") else { return 0 }
            return try scalar("SELECT coalesce(max(version), 0) FROM schema_migrations").int ?? 0
        }
    }

    /// Applies every migration not yet recorded in `schema_migrations`, in version order, each in its own
    /// transaction. Refuses a database whose schema is newer than the newest migration given.
    /// - Returns: the versions applied now (empty when already up to date).
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws -> [Int] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.version == b.version {
            throw SpatialError.migration(version: a.version, message: "defined twice ('\(a.name)', '\(b.name)')")
        }
        if let bad = sorted.first, bad.version < 1 {
            throw SpatialError.migration(version: bad.version, message: "versions start at 1")
        }
        let known = sorted.last?.version ?? 0
        let current = try schemaVersion
        guard current <= known else {
            throw SpatialError.migration(
                version: current,
                message: "database '\(path)' is at schema version \(current), newer than this code knows (\(known)); "
                    + "upgrade UrbanGrid before opening it")
        }
        try execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        let done = Set(try query("SELECT version FROM schema_migrations").compactMap { $0[0].int })
        var applied: [Int] = []
        for m in sorted where !done.contains(m.version) {
            do {
                try transaction {
                    try m.apply(self)
                    try run(
                        "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                        m.version, m.name)
                }
            } catch {
                throw SpatialError.migration(version: m.version, message: "'\(m.name)': \(error)")
            }
            applied.append(m.version)
        }
        return applied
    }
}
