import Foundation
import Testing

@testable import SpatialCore

/// Runs `body` with a database path in a fresh temporary directory, removed afterwards.
private func withTempDB<T>(_ body: (String) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir.appendingPathComponent("test.sqlite").path)
}

/// The `.sqlite` error `body` throws, or nil (with a recorded issue) when it throws nothing or something else.
private func sqliteError(_ body: () throws -> Void) -> (code: Int, message: String, sql: String?)? {
    do {
        try body()
        Issue.record("expected a SpatialError.sqlite, nothing was thrown")
    } catch SpatialError.sqlite(let code, let message, let sql) {
        return (code, message, sql)
    } catch {
        Issue.record("expected a SpatialError.sqlite, got \(error)")
    }
    return nil
}

/// A store with spatial metadata and `shapes(id, name, geom GEOMETRY 4326)`.
private func shapesStore(_ path: String) throws -> SpatiaLiteStore {
    let store = try SpatiaLiteStore(path: path, mode: .create)
    try store.initializeSpatialMetadata()
    try store.execute("CREATE TABLE shapes(id INTEGER PRIMARY KEY, name TEXT)")
    try store.addGeometryColumn(table: "shapes", column: "geom", srid: 4326, type: "GEOMETRY")
    return store
}

@Suite("SpatiaLiteStore")
struct SpatiaLiteStoreTests {
    @Test func createAndInitializeMetadata() throws {
        try withTempDB { path in
            let store = try SpatiaLiteStore(path: path, mode: .create)
            #expect(try store.initializeSpatialMetadata() == true)
            #expect(try store.initializeSpatialMetadata() == false)  // idempotent
            let srids = try store.query(
                "SELECT srid FROM spatial_ref_sys WHERE srid IN (4326, 3857, 4547) ORDER BY srid").map { $0[0].int }
            #expect(srids == [3857, 4326, 4547])
            #expect(try store.spatialiteVersion.hasPrefix("5."))
            #expect(try !store.geosVersion.isEmpty)
            #expect(try !store.projVersion.isEmpty)
            #expect(try store.scalar("PRAGMA foreign_keys").int == 1)
        }
    }

    @Test func walModeIsOn() throws {
        try withTempDB { path in
            let store = try SpatiaLiteStore(path: path)
            #expect(try store.scalar("PRAGMA journal_mode").string == "wal")
            let memory = try SpatiaLiteStore(path: ":memory:")
            #expect(try memory.scalar("PRAGMA journal_mode").string == "memory")
        }
    }

    @Test func geometryRoundTrip() throws {
        try withTempDB { path in
            let store = try shapesStore(path)
            let inputs = [
                try Geometry(wkt: "POINT (114.123456789012 30.987654321098)"),
                try Geometry(wkt: "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))"),
                try Geometry(wkt: "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 7 5, 7 7, 5 7, 5 5), (5.5 5.5, 5.5 6, 6 6, 5.5 5.5)))"),
            ]
            let insert = try store.prepare("INSERT INTO shapes(id, name, geom) VALUES (:id, :name, GeomFromWKB(:wkb, 4326))")
            for (i, g) in inputs.enumerated() {
                try insert.bind(["id": i + 1, "name": g.typeName, "wkb": g])
                try insert.run()
            }
            let read = try store.prepare("SELECT id, name, AsBinary(geom), ST_SRID(geom) FROM shapes ORDER BY id")
            var out: [Geometry] = []
            try read.forEach { row in
                #expect(try row.string(1) == inputs[out.count].typeName)
                #expect(try row.int(3) == 4326)
                out.append(try #require(try row.geometry(2)))
            }
            #expect(out == inputs)
            #expect(read.columnNames == ["id", "name", "AsBinary(geom)", "ST_SRID(geom)"])
        }
    }

    @Test func typedBindingAndReading() throws {
        let store = try SpatiaLiteStore(path: ":memory:")
        let st = try store.prepare("SELECT ?, ?, ?, ?, ?, ?, ?, ?")
        try st.bind([42, Int64.max, 2.5, "城管", true, nil, [UInt8]([1, 2, 3]), [UInt8]()])
        #expect(try st.step())
        #expect(try st.int(0) == 42)
        #expect(try st.int64(1) == .max)
        #expect(try st.double(2) == 2.5)
        #expect(try st.string(3) == "城管")
        #expect(try st.bool(4) == true)
        #expect(try st.isNull(5) && st.int(5) == nil && st.string(5) == nil)
        #expect(try st.blob(6) == [1, 2, 3])
        #expect(try st.blob(7) == [])
        #expect(try !st.step())
        // reuse: bind resets a used statement by itself; clearBindings makes everything NULL
        try st.bind(7, at: 1)
        let row = try #require(try st.rows().first)
        #expect(row[0] == .integer(7) && row[2] == .real(2.5) && row["?4"] == nil)
        st.clearBindings()
        #expect(try st.rows().first?.values.allSatisfy(\.isNull) == true)
    }

    @Test func bboxQueryThroughTheRTree() throws {
        try withTempDB { path in
            let store = try SpatiaLiteStore(path: path)
            try store.initializeSpatialMetadata()
            try store.execute("CREATE TABLE pois(id INTEGER PRIMARY KEY, name TEXT)")
            try store.addGeometryColumn(table: "pois", column: "geom", srid: 4326, type: "POINT")
            try store.createSpatialIndex(table: "pois", column: "geom")
            try store.transaction {
                let insert = try store.prepare("INSERT INTO pois(id, name, geom) VALUES (?, ?, GeomFromWKB(?, 4326))")
                for x in 0..<10 {
                    for y in 0..<10 {
                        try insert.run([x * 10 + y + 1, "p\(x)_\(y)", Geometry.point(x: Double(x), y: Double(y))])
                    }
                }
            }
            #expect(try store.scalar("SELECT count(*) FROM pois").int == 100)
            #expect(try store.checkSpatialIndex(table: "pois", column: "geom"))
            let ids = try store.rowids(inEnvelope: Envelope(minX: 2.5, minY: 3.5, maxX: 5.5, maxY: 6.5), table: "pois", column: "geom")
            #expect(ids == [35, 36, 37, 45, 46, 47, 55, 56, 57])  // x in 3...5, y in 4...6
            let edges = try store.rowids(inEnvelope: Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1), table: "pois", column: "geom")
            #expect(edges == [1, 2, 11, 12])  // bounds are inclusive
            #expect(try store.rowids(inEnvelope: Envelope(minX: 20, minY: 20, maxX: 30, maxY: 30), table: "pois", column: "geom").isEmpty)
            // same answer as SpatiaLite's own virtual-table route
            let viaVirtual = try store.query("""
                SELECT id FROM pois WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'pois'
                  AND f_geometry_column = 'geom' AND search_frame = BuildMbr(2.5, 3.5, 5.5, 6.5, 4326)) ORDER BY id
                """).compactMap { $0[0].int }
            #expect(viaVirtual.map(Int64.init) == ids)
        }
    }

    @Test func transformToCGCS2000GaussKruger() throws {
        let store = try SpatiaLiteStore(path: ":memory:")
        try store.initializeSpatialMetadata()
        let text = try #require(try store.scalar("SELECT AsText(ST_Transform(MakePoint(114, 30, 4326), 4547))").string)
        #expect(text.hasPrefix("POINT(500000"))
        guard case .point(let p) = try Geometry(wkt: text) else { Issue.record("not a point: \(text)"); return }
        #expect(abs(p.x - 500000) < 0.001)
        #expect(abs(p.y - 3320113.397845) < 0.001)
    }

    @Test func failedTransactionLeavesNothing() throws {
        struct Boom: Error {}
        try withTempDB { path in
            let store = try SpatiaLiteStore(path: path)
            try store.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
            try store.run("INSERT INTO t(v) VALUES (?)", "keep")
            #expect(throws: Boom.self) {
                try store.transaction {
                    try store.run("INSERT INTO t(v) VALUES ('a')")
                    try store.run("UPDATE t SET v = 'changed'")
                    throw Boom()
                }
            }
            #expect(!store.isInTransaction)
            #expect(try store.query("SELECT v FROM t").map { $0[0] } == [.text("keep")])
            // nested: the inner unit is a savepoint, rolled back alone
            try store.transaction {
                try store.run("INSERT INTO t(v) VALUES ('outer')")
                #expect(throws: Boom.self) {
                    try store.transaction {
                        try store.run("INSERT INTO t(v) VALUES ('inner')")
                        throw Boom()
                    }
                }
                #expect(store.isInTransaction)
            }
            #expect(try store.query("SELECT v FROM t ORDER BY id").map { $0[0] } == [.text("keep"), .text("outer")])
            // an SQL failure inside rolls back as well
            _ = sqliteError {
                try store.transaction {
                    try store.run("INSERT INTO t(v) VALUES ('x')")
                    try store.run("INSERT INTO t(id, v) VALUES (1, 'duplicate')")
                }
            }
            #expect(try store.scalar("SELECT count(*) FROM t").int == 2)
        }
    }

    static let migrations = [
        Migration(version: 1, name: "pois", sql: "CREATE TABLE pois(id INTEGER PRIMARY KEY, name TEXT NOT NULL);"),
        Migration(version: 2, name: "pois geometry") { store in
            try store.addGeometryColumn(table: "pois", column: "geom", srid: 4326, type: "POINT")
            try store.createSpatialIndex(table: "pois", column: "geom")
        },
    ]

    @Test func migrationsApplyOnceAndSurviveReopen() throws {
        try withTempDB { path in
            do {
                let store = try SpatiaLiteStore(path: path)
                try store.initializeSpatialMetadata()
                #expect(try store.schemaVersion == 0)
                #expect(try store.migrate(Self.migrations) == [1, 2])
                #expect(try store.migrate(Self.migrations) == [])
                #expect(try store.schemaVersion == 2)
                try store.close()
            }
            let store = try SpatiaLiteStore(path: path, mode: .readWrite)
            #expect(try store.migrate(Self.migrations) == [])
            #expect(try store.schemaVersion == 2)
            let names = try store.query("SELECT name, applied_at FROM schema_migrations ORDER BY version")
            #expect(names.map { $0["name"]?.string } == ["pois", "pois geometry"])
            #expect(names.allSatisfy { $0["applied_at"]?.string?.hasPrefix("20") == true })
            #expect(try store.tableExists("idx_pois_geom"))

            // a failing migration is rolled back whole and names its version
            let broken = Self.migrations + [Migration(version: 3, name: "broken", sql: "CREATE TABLE extra(a); SELEC 1;")]
            #expect(throws: SpatialError.self) { try store.migrate(broken) }
            do {
                try store.migrate(broken)
            } catch SpatialError.migration(let version, let message) {
                #expect(version == 3 && message.contains("SELEC 1"))
            }
            #expect(try store.schemaVersion == 2)
            #expect(try !store.tableExists("extra"))
        }
    }

    @Test func tooNewSchemaIsRefused() throws {
        try withTempDB { path in
            let store = try SpatiaLiteStore(path: path)
            try store.initializeSpatialMetadata()
            try store.migrate(Self.migrations)
            let older = Array(Self.migrations.prefix(1))
            do {
                try store.migrate(older)
                Issue.record("a database at version 2 was accepted by code that knows version 1")
            } catch SpatialError.migration(let version, let message) {
                #expect(version == 2)
                #expect(message.contains("newer than this code knows (1)"))
            }
            let dup = [Self.migrations[0], Migration(version: 1, name: "again", sql: "")]
            #expect(throws: SpatialError.migration(version: 1, message: "defined twice ('pois', 'again')")) {
                try store.migrate(dup)
            }
        }
    }

    @Test func badSQLNamesTheSQL() throws {
        let store = try SpatiaLiteStore(path: ":memory:")
        let e = sqliteError { _ = try store.prepare("SELEC name FROM nowhere") }
        #expect(e?.code == 1 && e?.message.contains("syntax error") == true && e?.sql == "SELEC name FROM nowhere")
        let missing = sqliteError { try store.execute("CREATE TABLE a(x); INSERT INTO nowhere VALUES (1)") }
        #expect(missing?.message.contains("no such table: nowhere") == true)
        #expect(missing?.sql?.contains("INSERT INTO nowhere") == true)
        let two = sqliteError { _ = try store.prepare("SELECT 1; SELECT 2") }
        #expect(two?.message.contains("one statement") == true)
        let constraint = sqliteError {
            try store.execute("CREATE TABLE u(id INTEGER PRIMARY KEY)")
            try store.run("INSERT INTO u VALUES (1)")
            try store.run("INSERT INTO u VALUES (?)", 1)
        }
        #expect(constraint?.code == 19 && constraint?.sql == "INSERT INTO u VALUES (?)")
    }

    @Test func bindingAndColumnErrors() throws {
        let store = try SpatiaLiteStore(path: ":memory:")
        let st = try store.prepare("SELECT :a + 1")
        let range = sqliteError { try st.bind(5, at: 3) }
        #expect(range?.code == 25 && range?.message.contains("parameter 3") == true && range?.sql == "SELECT :a + 1")
        #expect(range?.message.contains("column index out of range") == true)
        let named = sqliteError { try st.bind(5, named: "b") }
        #expect(named?.message.contains(":b") == true && named?.sql == "SELECT :a + 1")
        try st.bind(1, named: "a")
        let noRow = sqliteError { _ = try st.int(0) }
        #expect(noRow?.code == 21)
        #expect(try st.step())
        #expect(try st.int(0) == 2)
        let column = sqliteError { _ = try st.int(1) }
        #expect(column?.code == 25 && column?.message.contains("column 1") == true)
    }

    @Test func openingErrors() throws {
        try withTempDB { path in
            let e = sqliteError { _ = try SpatiaLiteStore(path: path, mode: .readOnly) }
            #expect(e?.code == 14 && e?.message.contains(path) == true)
            #expect(!FileManager.default.fileExists(atPath: path))
            _ = sqliteError { _ = try SpatiaLiteStore(path: path, mode: .readWrite) }
            // read-only on an existing file reads but refuses writes
            try SpatiaLiteStore(path: path).execute("CREATE TABLE t(a); INSERT INTO t VALUES (1)")
            let ro = try SpatiaLiteStore(path: path, mode: .readOnly)
            #expect(try ro.scalar("SELECT a FROM t").int == 1)
            #expect(sqliteError { try ro.run("INSERT INTO t VALUES (2)") }?.code == 8)
        }
    }

    @Test func wkbGarbageIsAParseError() throws {
        try withTempDB { path in
            let store = try shapesStore(path)
            try store.run("INSERT INTO shapes(id, geom) VALUES (1, GeomFromText('POINT(1 2)', 4326))")
            let st = try store.prepare("SELECT X'DEADBEEF', geom, NULL FROM shapes")
            #expect(try st.step())
            do {
                _ = try st.geometry(0)
                Issue.record("garbage WKB was accepted")
            } catch SpatialError.parse(let format, let location, _) {
                #expect(format == "WKB" && location.contains("SELECT X'DEADBEEF'"))
            }
            do {
                _ = try st.geometry(1)  // the raw column is SpatiaLite's blob, not WKB
                Issue.record("a SpatiaLite blob was read as WKB")
            } catch SpatialError.parse(_, _, let message) {
                #expect(message.contains("AsBinary"))
            }
            #expect(try st.geometry(2) == nil)
            #expect(throws: SpatialError.self) { _ = try SQLValue.blob([1, 2]).geometry() }
        }
    }

    @Test func spatialHelperErrors() throws {
        let store = try SpatiaLiteStore(path: ":memory:")
        try store.initializeSpatialMetadata()
        let add = sqliteError { try store.addGeometryColumn(table: "missing", column: "geom", srid: 4326, type: "POINT") }
        #expect(add?.message.contains("missing") == true && add?.sql?.contains("AddGeometryColumn") == true)
        #expect(sqliteError { try store.createSpatialIndex(table: "missing", column: "geom") } != nil)
        #expect(sqliteError { _ = try store.rowids(inEnvelope: Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1), table: "missing", column: "geom") }?
            .message.contains("no such table: idx_missing_geom") == true)
        try store.transaction {
            let e = sqliteError { try store.initializeSpatialMetadata() }
            #expect(e?.message.contains("inside a transaction") == true)
        }
    }

    @Test func closeAndReopen() throws {
        try withTempDB { path in
            let store = try SpatiaLiteStore(path: path)
            try store.execute("CREATE TABLE t(a); INSERT INTO t VALUES (1)")
            var st: Statement? = try store.prepare("SELECT a FROM t")
            #expect(sqliteError { try store.close() }?.message.contains("1 statement(s) still alive") == true)
            #expect(store.isOpen)
            st = nil
            _ = st
            try store.close()
            try store.close()  // idempotent
            #expect(!store.isOpen)
            #expect(sqliteError { _ = try store.query("SELECT a FROM t") }?.message.contains("closed") == true)
            let again = try SpatiaLiteStore(path: path, mode: .readWrite)
            #expect(try again.scalar("SELECT a FROM t").int == 1)
            #expect(try again.scalar("PRAGMA journal_mode").string == "wal")
        }
    }

    @Test func deadlineInterruptsARunningStatement() throws {
        let store = try SpatiaLiteStore(path: ":memory:")
        let billion = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) SELECT count(*) FROM n"
        store.deadline = ContinuousClock.now + .milliseconds(100)
        do {
            _ = try store.scalar(billion)
            Issue.record("a billion rows counted before the deadline")
        } catch SpatialError.sqlite(let code, _, _) {
            #expect(code == 9)  // SQLITE_INTERRUPT
        }
        store.deadline = nil  // (no wall-clock bound: the interrupt code is the evidence, timing belongs to benchmarks)
        #expect(try store.scalar("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) SELECT count(*) FROM n").int == 100000)
    }
}
