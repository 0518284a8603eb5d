import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

import SpatialCore
import Testing
import UrbanModel
@testable import UrbanService
import UrbanStore

/// Static files, limits, the access log, the connection pool and its time limit.
@Suite struct ServiceTests {
    @Test func staticLeafletFilesAreServedByExactName() async throws {
        try await Fixture.withService { client in
            let js = try await client.execute(uri: "/static/leaflet/leaflet.js", method: .get)
            #expect(js.status == .ok && js.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(js.text == (try String(contentsOfFile: Fixture.leaflet + "/leaflet.js", encoding: .utf8)))
            let css = try await client.execute(uri: "/static/leaflet/leaflet.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
            let png = try await client.execute(uri: "/static/leaflet/images/marker-icon.png", method: .get)
            #expect(png.status == .ok && png.headers[.contentType] == "image/png")
            #expect(Array(png.body.readableBytesView) == [0x89, 0x50, 0x4E, 0x47, 1, 2, 3])
            // only leaflet.js, leaflet.css and images/*.png, never a path into the file system
            for uri in ["/static/leaflet/images/notes.txt", "/static/leaflet/..%2Fleaflet.js", "/static/leaflet/images/..%2F..%2Fetc%2Fpasswd",
                        "/static/leaflet/leaflet.min.js"] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .notFound, "\(uri)")
            }
        }
    }

    @Test func readOnlyAndNoBodies() async throws {
        try await Fixture.withService { client in
            for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
                let r = try await client.execute(uri: "/collections", method: method)
                #expect(r.status == .methodNotAllowed, "\(method)")
                #expect(try r.json["code"] as? String == "MethodNotAllowed")
            }
            // HEAD is GET without the body
            let get = try await client.execute(uri: "/collections/stations/items?limit=3", method: .get)
            let head = try await client.execute(uri: "/collections/stations/items?limit=3", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == String(get.body.readableBytes))
            #expect(head.headers[.contentType] == "application/geo+json")
            let big = ByteBuffer(repeating: 0x41, count: 64 * 1024)
            let r = try await client.execute(uri: "/collections", method: .get, headers: [.contentLength: "\(big.readableBytes)"], body: big)
            #expect(r.status == .contentTooLarge)
        }
    }

    @Test func accessLogHasOneStructuredLinePerRequest() async throws {
        let sink = LogSink()
        let logger = Logger(label: "urbangrid.http") { _ in sink }
        try await Fixture.withService(accessLogger: logger) { client in
            _ = try await client.execute(uri: "/collections/stations/items?limit=2", method: .get)
            _ = try await client.execute(uri: "/collections/nothing", method: .get)
        }
        let lines = sink.records
        #expect(lines.count == 2)
        let first = try #require(lines.first)
        #expect(first.metadata["method"] == "GET" && first.metadata["path"] == "/collections/stations/items" && first.metadata["status"] == "200")
        #expect(Double(first.metadata["duration_ms"] ?? "") != nil)
        #expect(Int(first.metadata["bytes"] ?? "").map { $0 > 100 } == true)
        #expect(lines.last?.metadata["status"] == "404")
    }

    /// The buffered access-log handler: whole lines, each thread's in order, metadata sorted, an ISO 8601 UTC time
    /// with milliseconds; nothing lost when a 64 KiB buffer fills repeatedly or at the final flush.
    @Test func bufferedAccessLogKeepsEveryLineWholeAndInOrder() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let sink = BufferedLogHandler.Sink(fileDescriptor: fds[1], interval: 0.01)
        let reader = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        let collected = LockedBytes()
        let readThread = Thread {
            while case let d = reader.availableData, !d.isEmpty { collected.append(d) }
            collected.end()
        }
        readThread.start()
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            let logger = Logger(label: "urbangrid.http") { BufferedLogHandler(label: $0, level: .info, sink: sink) }
            for i in 0..<3000 {
                logger.info("request", metadata: ["thread": "\(t)", "i": "\(i)", "path": "/lookup"])
                logger.debug("not at this level")
            }
        }
        sink.flush()
        close(fds[1])
        while !collected.isEnded { Thread.sleep(forTimeInterval: 0.01) }
        let lines = String(decoding: collected.bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 12_000)
        var next = [0, 0, 0, 0]
        let pattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info urbangrid\.http: request i=(\d+) path=\/lookup thread=(\d)$/
        for line in lines {
            guard let m = line.wholeMatch(of: pattern), let i = Int(m.1), let t = Int(m.2) else {
                Issue.record("malformed line: \(line)")
                return
            }
            #expect(i == next[t], "thread \(t): line \(i) after \(next[t] - 1)")
            next[t] = i + 1
        }
    }

    @Test func poolGivesEachReaderItsOwnConnection() async throws {
        let pool = try DatabasePool(path: Fixture.database, size: 2)
        // more concurrent readers than connections: they wait for one, and each sees a consistent database
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try await pool.read(timeLimit: .seconds(30)) { db in try db.count(.stations) } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: Fixture.columns * Fixture.rows, count: 8))
    }

    @Test func poolIsReadOnly() async throws {
        let pool = try DatabasePool(path: Fixture.database, size: 1)
        await #expect(throws: SpatialError.self) {
            try await pool.read(timeLimit: .seconds(30)) { db in try (db as! UrbanDatabase).store.execute("DELETE FROM stations") }
        }
    }

    /// The query routes' connections (of the warm `QueryWorker`s) are read-only too: no statement can write through them.
    @Test func queryPoolIsReadOnly() async throws {
        let pool = try QueryPool(path: Fixture.database, size: 1)
        for sql in ["DELETE FROM stations", "INSERT INTO chiefs(id, name) VALUES ('x', 'y')", "CREATE TABLE t(x)", "PRAGMA user_version = 7"] {
            await #expect(throws: SpatialError.self, "\(sql)") {
                try await pool.query(timeLimit: .seconds(30)) { w in try (w.store as! UrbanDatabase).store.execute(sql) }
            }
        }
        #expect(try await pool.query(timeLimit: .seconds(30)) { w in try w.store.count(.stations) } == Fixture.columns * Fixture.rows)
    }

    @Test func timeLimitInterruptsALongQuery() async throws {
        let pool = try DatabasePool(path: Fixture.database, size: 1)
        await #expect(throws: ServiceError.self) {
            try await pool.read(timeLimit: .milliseconds(200)) { db in
                // counts to a billion: far longer than the limit unless interrupted
                try (db as! UrbanDatabase).store.scalar("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) SELECT count(*) FROM n").int ?? 0
            }
        }
        // (no wall-clock bound here: on a loaded machine the interrupted statement still ends late; uninterrupted, the
        // count would finish with a number and no error, which the expectation above rejects)
        // the connection is usable again afterwards
        #expect(try await pool.read(timeLimit: .seconds(30)) { db in try db.count(.chiefs) } == 3)
    }

    @Test func timeLimitCoversWaitingForAConnection() async throws {
        let pool = try DatabasePool(path: Fixture.database, size: 1)
        let holding = Flag()
        async let holder: Int = pool.read(timeLimit: .seconds(30)) { db in
            holding.set()
            Thread.sleep(forTimeInterval: 3.0)  // well past the other request's 200 ms, even on a starved machine
            return try db.count(.chiefs)
        }
        while !holding.isSet { try await Task.sleep(for: .milliseconds(5)) }  // the only connection is taken
        do {
            _ = try await pool.read(timeLimit: .milliseconds(200)) { db in try db.count(.chiefs) }
            Issue.record("expected the time limit")
        } catch let e as ServiceError {
            #expect(e.status == .serviceUnavailable && e.code == "TimeLimit")
        }
        #expect(try await holder == 3)
    }

    @Test func errorsMapToStatuses() {
        #expect(ServiceError(from: ModelError.invalidArgument(name: "lon", reason: "x")).status == .badRequest)
        #expect(ServiceError(from: SpatialError.unknownCRS("EPSG:0")).status == .badRequest)
        #expect(ServiceError(from: SpatialError.sqlite(code: 1, message: "secret SQL detail", sql: nil)).status == .internalServerError)
        #expect(!ServiceError(from: SpatialError.sqlite(code: 1, message: "secret SQL detail", sql: nil)).detail.contains("secret"))
        #expect(ServiceError.notFound("no grid").status == .notFound)
        // a statement stopped at the time limit (PostgreSQL's statement_timeout) and a database that fails: 503
        let interrupted = ServiceError(from: ModelError.interrupted("postgresql://u:***@h/db", reason: "canceling statement due to statement timeout [SQLSTATE 57014]"))
        #expect(interrupted.status == .serviceUnavailable && interrupted.code == "TimeLimit")
        #expect(ServiceError(from: ModelError.database("postgresql://u:***@h/db", reason: "the server closed the connection")).status == .serviceUnavailable)
        #expect(String(decoding: ServiceError.badParameter("lat", "91 is not a latitude").body, as: UTF8.self)
                == #"{"code":"InvalidParameterValue","description":"lat: 91 is not a latitude"}"#)
    }

    @Test func missingDatabaseIsABadArgument() {
        #expect(throws: ModelError.self) {
            _ = try UrbanGridService(configuration: ServiceConfiguration(databasePath: "/nonexistent/city.sqlite"))
        }
    }
}

/// Collects log records (the access log) for assertions.
final class LogSink: LogHandler, @unchecked Sendable {
    struct Record {
        var message: String
        var metadata: [String: String]
    }

    private let lock = NSLock()
    private var stored: [Record] = []
    var records: [Record] { lock.withLock { stored } }

    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let m = (event.metadata ?? [:]).mapValues { "\($0)" }
        lock.withLock { stored.append(Record(message: "\(event.message)", metadata: m)) }
    }
}

/// Bytes read from a pipe by another thread.
final class LockedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [UInt8] = []
    private var ended = false
    var bytes: [UInt8] { lock.withLock { stored } }
    func append(_ d: Data) { lock.withLock { stored.append(contentsOf: d) } }
    /// Whether the reader has seen the end of the pipe (its last read returned nothing).
    var isEnded: Bool { lock.withLock { ended } }
    func end() { lock.withLock { ended = true } }
}

/// A flag set on one thread and read on another.
final class Flag: @unchecked Sendable {  // `value` only under `lock`
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
