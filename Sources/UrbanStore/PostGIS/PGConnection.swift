import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
public import SpatialCore
import UrbanModel

/// One connection to a PostgreSQL server through `postgres-nio`, used synchronously: the commands and the domain
/// are synchronous, so every call blocks its caller until the server answered. The client's async work runs on a
/// task executor of its own, never on Swift's cooperative pool, so a caller blocking a pool thread cannot starve it.
/// Not thread-safe: one caller at a time (as with `SpatiaLiteStore`). Values in and out are `SQLValue`s; statements
/// take `$1, $2, …` parameters, always bound (never spliced into the SQL text).
final class PGConnection {
    let location: PostgresLocation
    let connection: PostgresConnection
    let logger: Logger
    private(set) var isClosed = false
    /// While set, statements running past this instant are cancelled by the server (`statement_timeout`). Applied
    /// before the next statement runs, not when set: a request answered from memory (a warm lookup) costs no round
    /// trip for its time limit.
    var deadline: ContinuousClock.Instant?
    /// The deadline the server's `statement_timeout` was last set for (nil: no timeout set).
    /// The `statement_timeout` last set (ms, 0: none).
    private var appliedTimeout: Int64?
    /// Inside `transaction` (a nested call runs in the outer transaction).
    private(set) var inTransaction = false

    /// The event loops every connection of this process shares (one thread: the commands are sequential).
    private static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Connects and logs in. A failure says what went wrong (no server, wrong password, no database) and never
    /// shows the password.
    init(_ location: PostgresLocation, logger: Logger = Logger(label: "urbangrid.postgres")) throws {
        self.location = location
        self.logger = logger
        let configuration: PostgresConnection.Configuration
        if let socket = location.socketPath {
            configuration = .init(unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch location.tls {
            case .disable: tls = .disable
            case .prefer, .require, .verify:
                var c = TLSConfiguration.makeClientConfiguration()
                if location.tls != .verify { c.certificateVerification = .none }  // libpq's prefer and require do not verify
                let context = try NIOSSLContext(configuration: c)
                tls = location.tls == .prefer ? .prefer(context) : .require(context)
            }
            configuration = .init(host: location.host ?? "localhost", port: location.port, username: location.user,
                                  password: location.password, database: location.database, tls: tls)
        }
        do {
            connection = try PostgresConnection.connect(on: Self.eventLoops.next(), configuration: configuration, id: 1, logger: logger).wait()
        } catch {
            throw Self.describe(error, at: location, doing: "cannot connect")
        }
        connection.closeFuture.whenComplete { [watch] _ in watch.channelClosed() }
    }

    /// Ends the caller's wait when the connection goes away (the server restarted, or ended this session): postgres-nio
    /// 1.33 never completes a COPY that was waiting for the socket when the server's error arrived, nor always a
    /// statement sent after it, so without this an import would block forever.
    let watch = ChannelWatch()

    final class ChannelWatch: @unchecked Sendable {
        private let lock = NSLock()
        private var closed = false
        private var onClose: (() -> Void)?

        /// Registers what ends the current call when the connection closes; false when it has closed already.
        func begin(_ action: @escaping () -> Void) -> Bool {
            lock.withLock {
                if closed { return false }
                onClose = action
                return true
            }
        }

        func end() { lock.withLock { onClose = nil } }

        func channelClosed() {
            let action = lock.withLock { () -> (() -> Void)? in
                closed = true
                defer { onClose = nil }
                return onClose
            }
            action?()
        }
    }

    deinit { if !isClosed { try? connection.close().wait() } }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        try? connection.close().wait()
    }

    /// Closes the socket from any thread, without waiting: a call waiting on this connection ends at once as if the
    /// server had closed it (the service drops the connections of a replica that stopped answering). Unusable after.
    func abort() {
        let closing: EventLoopFuture<Void> = connection.close()
        _ = closing
    }

    // MARK: Statements

    /// Every row of one statement, each as `SQLValue`s in column order (booleans as 0/1, bytea as blobs, numbers
    /// as integers or reals, everything else as text).
    func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [[SQLValue]] {
        try applyDeadline()
        return try rows(sql, parameters)
    }

    /// Sets the server's `statement_timeout` to what is left of `deadline` when that differs by more than a second from
    /// what was set last (each request brings its own deadline; re-setting it for every statement of a busy writer
    /// would double its round trips for a precision no time limit needs), or when there is a deadline no longer.
    func applyDeadline() throws {
        let ms = deadline.map { d -> Int64 in
            let left = ContinuousClock.now.duration(to: d)
            return max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
        } ?? 0
        // the timeout is per statement: what was set applies afresh to every statement
        if let current = appliedTimeout, (ms == 0) == (current == 0), abs(ms - current) <= 1000 { return }
        _ = try rows("SELECT set_config('statement_timeout', $1, false)", [.text(String(ms))])
        appliedTimeout = ms
    }

    private func rows(_ sql: String, _ parameters: [SQLValue]) throws -> [[SQLValue]] {
        let query = try Self.query(sql, parameters)
        let connection = self.connection, logger = self.logger
        return try run(sql) {
            var rows: [[SQLValue]] = []
            for try await row in try await connection.query(query, logger: logger) {
                rows.append(try row.map(Self.value))
            }
            return rows
        }
    }

    /// Every row of a statement prepared on this connection: the server parses and plans it on its first run here,
    /// then only binds and runs it (the hot statements of the case routes). The values are converted to the statement's
    /// parameter types (an integer bound to a `float8` parameter is sent as a double), so the types a statement was
    /// prepared with always fit.
    func query<S: PreparedSQL>(_ statement: S.Type, _ parameters: [SQLValue]) throws -> [[SQLValue]] {
        try applyDeadline()
        let prepared = Prepared<S>(bindings: try Self.bindings(parameters, types: S.types, sql: S.sql))
        let connection = self.connection, logger = self.logger
        return try run(S.sql) {
            var rows: [[SQLValue]] = []
            for try await row in try await connection.execute(prepared, logger: logger) { rows.append(row) }
            return rows
        }
    }

    /// `parameters` bound as `types` say (one type per parameter).
    static func bindings(_ parameters: [SQLValue], types: [PostgresDataType], sql: String) throws -> PostgresBindings {
        guard parameters.count == types.count else {
            throw ModelError.database("PostgreSQL", reason: "\(parameters.count) values for the \(types.count) parameters of \(sql.prefix(60))")
        }
        var binds = PostgresBindings(capacity: parameters.count)
        for (value, type) in zip(parameters, types) {
            switch (value, type) {
            case (.null, _): binds.appendNull()
            case (.integer(let v), .int8): binds.append(v)
            case (.integer(let v), .float8): binds.append(Double(v))
            case (.real(let v), .float8): binds.append(v)
            case (.real(let v), .int8) where v.rounded() == v && abs(v) < 9.2e18: binds.append(Int64(v))
            case (.text(let v), .text): binds.append(v)
            case (.integer(let v), .text): binds.append(String(v))
            case (.real(let v), .text): binds.append(String(v))
            case (.blob(let v), .bytea): binds.append(ByteBuffer(bytes: v))
            default:
                throw ModelError.database("PostgreSQL", reason: "a value \(value) for a parameter of type \(type) in \(sql.prefix(60))")
            }
        }
        return binds
    }

    /// The first column of the first row (`.null` when there is none).
    func scalar(_ sql: String, _ parameters: [SQLValue] = []) throws -> SQLValue {
        try query(sql, parameters).first?.first ?? .null
    }

    /// Runs one statement (the extended protocol takes one at a time).
    func execute(_ sql: String, _ parameters: [SQLValue] = []) throws {
        _ = try query(sql, parameters)
    }

    /// Sends `lines` (COPY's text format, one row per line ending in "\n") to `COPY table(columns) FROM STDIN`.
    func copy(into table: String, columns: [String], lines: [UInt8]) throws {
        let connection = self.connection, logger = self.logger
        try run("COPY \(table)") {
            try await connection.copyFrom(table: table, columns: columns, format: .text(.init()), logger: logger) { writer in
                // postgres-nio 1.33 stops the process (a precondition, not an error) when a copy write, its end or its
                // failure comes after the connection closed (a server restarted mid-import). So the data goes in as few
                // writes as possible, right after the server asked for it (256 MiB at most a write: the server takes COPY
                // data in messages of at most 1 GB), and once the socket is closed this task never calls the writer
                // again: it waits here, abandoned, while `run`'s close watch has already failed the import.
                func parkIfClosed() async {
                    while connection.isClosed { try? await Task.sleep(for: .seconds(3600)) }
                }
                var buffer = ByteBuffer(bytes: lines)
                while buffer.readableBytes > 0 {
                    await parkIfClosed()
                    let chunk = buffer.readSlice(length: min(buffer.readableBytes, 256 << 20))!
                    try await writer.write(chunk)
                }
                await parkIfClosed()
            }
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// - Parameter readOnly: `BEGIN READ ONLY`: nothing in `body` can write.
    func transaction<T>(readOnly: Bool = false, _ body: () throws -> T) throws -> T {
        if inTransaction { return try body() }
        try execute(readOnly ? "BEGIN READ ONLY" : "BEGIN")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    // MARK: Bridging

    static func query(_ sql: String, _ parameters: [SQLValue]) throws -> PostgresQuery {
        var binds = PostgresBindings(capacity: parameters.count)
        for p in parameters {
            switch p {
            case .null: binds.appendNull()
            case .integer(let v): binds.append(v)
            case .real(let v): binds.append(v)
            case .text(let v): binds.append(v)
            case .blob(let v): binds.append(ByteBuffer(bytes: v))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .numeric: return .real(Double(try cell.decode(String.self)) ?? .nan)
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        default:
            if var bytes = cell.bytes, cell.format == .text || [.text, .varchar, .name, .bpchar, .json, .unknown].contains(cell.dataType) {
                return .text(bytes.readString(length: bytes.readableBytes) ?? "")
            }
            return .text(try cell.decode(String.self))
        }
    }

    /// Runs the client's async work on `executor` and blocks until it is done.
    private func run<T>(_ sql: String, _ body: @escaping @Sendable () async throws -> T) throws -> T {
        guard !isClosed else { throw ModelError.database(location.description, reason: "the connection is closed") }
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        let location = self.location
        let gone = { ModelError.database(location.description, reason: "the server closed the connection (restarted, or this session was ended) while running \(sql.prefix(60))") }
        guard watch.begin({ box.finish(.failure(gone())); done.signal() }) else { throw gone() }
        defer { watch.end() }
        Task(executorPreference: Self.loopExecutor) {
            do { box.finish(.success(try await body())) } catch { box.finish(.failure(error)) }
            done.signal()
        }
        done.wait()
        do {
            return try box.result!.get()
        } catch {
            throw Self.describe(error, at: location, doing: nil, sql: sql)
        }
    }

    /// The first result of a call (its own, or the connection's end).
    private final class ResultBox<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Result<T, any Error>?
        var result: Result<T, any Error>? { lock.withLock { value } }
        func finish(_ r: Result<T, any Error>) { lock.withLock { if value == nil { value = r } } }
    }

    /// Where a statement's task runs (`run`): on the connections' event loop, the thread that reads and writes the
    /// sockets, so a statement costs the caller's thread one hand-over there and one back (a dispatch queue between
    /// them doubled that, and the thread switches were most of a case report's time in the service). Only for tasks
    /// that never block: a blocked event loop stops every connection.
    static let loopExecutor = EventLoopTaskExecutor(eventLoops.next())

    /// Where the tasks that wait on the caller's thread run (streamed rows and COPY hand data over through bounded
    /// queues, blocking when full): a concurrent dispatch queue.
    static let executor = DispatchTaskExecutor()

    final class DispatchTaskExecutor: TaskExecutor, @unchecked Sendable {
        let queue = DispatchQueue(label: "urbangrid.postgres", attributes: .concurrent)
        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            queue.async { job.runSynchronously(on: executor) }
        }
    }

    /// A task executor on an event loop.
    final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
        let loop: any EventLoop
        init(_ loop: any EventLoop) { self.loop = loop }
        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            loop.execute { job.runSynchronously(on: executor) }
        }
    }

    // MARK: Errors

    /// The SQLSTATE of a server error, if `error` is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// A message for `error` that names the database (password masked), what failed and the server's own words.
    static func describe(_ error: any Error, at location: PostgresLocation, doing: String?, sql: String? = nil) -> ModelError {
        if let e = error as? ModelError { return e }
        guard let e = error as? PSQLError else {
            return .database(location.description, reason: "\(doing.map { $0 + ": " } ?? "")\(error)")
        }
        let prefix = doing.map { $0 + ": " } ?? ""
        if let info = e.serverInfo {
            let state = info[.sqlState] ?? "?"
            var reason = info[.message] ?? "server error"
            if let detail = info[.detail] { reason += " (\(detail))" }
            if let hint = info[.hint] { reason += "; hint: \(hint)" }
            switch state {
            case "57014": return .interrupted(location.description, reason: "\(prefix)\(reason) [SQLSTATE \(state)]")
            case "28P01", "28000": reason = "\(reason): check the user and password (URL, PGPASSWORD or ~/.pgpass)"
            case "3D000": reason = "\(reason): create it first (createdb), or name another database in the URL"
            default: break
            }
            return .database(location.description, reason: "\(prefix)\(reason) [SQLSTATE \(state)]")
        }
        let place = location.socketPath ?? "\(location.host ?? "localhost"):\(location.port)"
        switch e.code {
        case .connectionError:
            let underlying = e.underlying.map { "\($0)" } ?? "no answer"
            return .database(location.description, reason: "\(prefix)no PostgreSQL server answers at \(place) (\(underlying))")
        case .serverClosedConnection, .uncleanShutdown:
            return .database(location.description, reason: "\(prefix)the server closed the connection (restarted or stopped?)")
        case .sslUnsupported:
            return .database(location.description, reason: "\(prefix)the server does not offer TLS, which sslmode asks for")
        case .authMechanismRequiresPassword:
            return .database(location.description, reason: "\(prefix)the server asks for a password: give it in the URL, PGPASSWORD or ~/.pgpass")
        default:
            return .database(location.description, reason: "\(prefix)\(e.code)\(sql.map { " while running \($0.prefix(60))" } ?? "")")
        }
    }
}

/// A statement prepared once per connection (`PGConnection.query(_:_:)`): its text and its parameters' types. The
/// name the server knows it by is the conforming type's.
protocol PreparedSQL {
    static var sql: String { get }
    static var types: [PostgresDataType] { get }
}

/// postgres-nio's form of a `PreparedSQL` statement, its rows as `SQLValue`s.
private struct Prepared<S: PreparedSQL>: PostgresPreparedStatement {
    typealias Row = [SQLValue]
    static var name: String { String(reflecting: S.self) }
    static var sql: String { S.sql }
    static var bindingDataTypes: [PostgresDataType] { S.types }
    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> [SQLValue] { try row.map(PGConnection.value) }
}
