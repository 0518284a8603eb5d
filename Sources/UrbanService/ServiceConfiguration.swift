public import Foundation
public import UrbanModel

/// Everything `buildApplication` needs: the database, where to listen, and the limits.
public struct ServiceConfiguration: Sendable {
    /// The UrbanGrid database, opened read-only: a SpatiaLite file or a PostgreSQL URL (with `replicas`, the primary).
    public var databasePath: String
    /// PostgreSQL streaming replicas of `databasePath` (URLs): the reads go to them (`ReadNodes`); empty: every read
    /// goes to `databasePath`.
    public var replicas: [String]
    /// The largest replay lag of a replica in use; a replica further behind is out of the read pool until it catches up.
    public var maximumReplicaLag: Duration
    /// How often the primary and the replicas are checked.
    public var replicaCheckInterval: Duration
    /// With replicas: whether reads also go to the primary (default: only while no replica is in use).
    public var primaryReads: ReadNodes.PrimaryReads
    public var host: String
    /// 0: any free port (the one bound is logged and passed to `onServerRunning`).
    public var port: Int
    /// Read-only connections, one per worker; a request holds one while it reads.
    public var connections: Int
    /// Features per items page when the request names no `limit`.
    public var defaultLimit: Int
    /// The largest page; a larger `limit` is clamped to it (OGC API – Features, issue 640).
    public var maximumLimit: Int
    /// The longest a request may wait for a connection and read (the running SQL is interrupted after it).
    public var requestTimeLimit: Duration
    /// Requests declaring a larger body are refused (413): the service reads no bodies.
    public var maximumBodyBytes: Int
    /// Debian's libjs-leaflet files, served under `/static/leaflet/`.
    public var leafletDirectory: String
    /// NIO event-loop threads. Lookups are answered on them (`LookupFastPath`), so more threads than cores let the
    /// kernel switch between connections the way it switches between PostgreSQL's backend processes: with one
    /// loop per core, a loop preempted by the client's threads keeps every connection on it waiting (the README's
    /// service benchmark has the figures).
    public var eventLoopThreads: Int
    /// The public holidays and make-up working days of vendor zones' `PH` rules (default: the built-in calendar).
    public var holidays: HolidayCalendar
    /// The case loop's write routes (`POST /cases…`, `POST /hazards/{id}/status`) on read-write connections.
    public var enableCases: Bool
    /// Read-write connections of the case routes on PostgreSQL (a report waits for its commit to reach the disk, so
    /// reports made at once share the flushes); a SpatiaLite file has one writer.
    public var writers: Int
    /// Every route needs a bearer token (else only the case and assessment routes do).
    public var authAll: Bool

    /// The default of `eventLoopThreads`: four per core.
    public static var defaultEventLoopThreads: Int { 4 * ProcessInfo.processInfo.activeProcessorCount }

    public init(
        databasePath: String, host: String = "127.0.0.1", port: Int = 8080,
        connections: Int = max(2, min(8, ProcessInfo.processInfo.activeProcessorCount)),
        defaultLimit: Int = 100, maximumLimit: Int = 10_000, requestTimeLimit: Duration = .seconds(30),
        maximumBodyBytes: Int = 16 * 1024, leafletDirectory: String = "/usr/share/javascript/leaflet",
        eventLoopThreads: Int = ServiceConfiguration.defaultEventLoopThreads,
        replicas: [String] = [], maximumReplicaLag: Duration = .seconds(10), replicaCheckInterval: Duration = .seconds(2),
        primaryReads: ReadNodes.PrimaryReads = .fallback, holidays: HolidayCalendar = .china, enableCases: Bool = false, authAll: Bool = false,
        writers: Int = 16
    ) {
        self.enableCases = enableCases
        self.writers = writers
        self.authAll = authAll
        self.databasePath = databasePath
        self.host = host
        self.port = port
        self.connections = connections
        self.defaultLimit = defaultLimit
        self.maximumLimit = maximumLimit
        self.requestTimeLimit = requestTimeLimit
        self.maximumBodyBytes = maximumBodyBytes
        self.leafletDirectory = leafletDirectory
        self.eventLoopThreads = eventLoopThreads
        self.replicas = replicas
        self.maximumReplicaLag = maximumReplicaLag
        self.replicaCheckInterval = replicaCheckInterval
        self.primaryReads = primaryReads
        self.holidays = holidays
    }
}
