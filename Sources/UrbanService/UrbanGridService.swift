public import Hummingbird
public import HummingbirdAuth
import HummingbirdCore
import NIOCore
import NIOPosix
import Foundation
public import Logging
public import SpatialCore
public import UrbanModel
import UrbanStore

/// The request context of every route: Hummingbird's basic one with the user a bearer token named (`identity`, set
/// by `BearerAuthenticator`), the client's address (for the failed-token limit) and a small body limit (only the
/// case routes read bodies, small JSON objects).
public struct ServiceRequestContext: AuthRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: UserRecord?
    /// The client's IP address; nil when unknown (a test without a socket).
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    public var maxUploadSize: Int { 16 * 1024 }
}

/// What the routes share: the configuration, the pool of read-only connections and the static files. Sendable;
/// the databases themselves stay inside the pool.
public struct UrbanGridService: Sendable {
    public let configuration: ServiceConfiguration
    public let pool: DatabasePool
    /// The warm indexes of the query routes (`QueryRoutes.swift`).
    public let queries: QueryPool
    /// The databases reads go to: the one database, or a PostgreSQL primary and its streaming replicas.
    public let nodes: ReadNodes
    /// With replicas: their periodic health checks (started with the server).
    let monitor: ReplicaMonitor?
    /// With replicas: a connection to the primary, opened at start (the service fails to start without its primary)
    /// and kept for the write routes to come; no read uses it.
    let primary: DatabaseWorker?
    let staticFiles: StaticFiles
    /// The case routes' writers (with `--enable-cases`) and their reference tables.
    let caseDesk: CaseDeskState
    /// The users behind bearer tokens.
    let tokens: TokenCheck

    /// Opens the database read-only (`configuration.connections` connections) and reads the Leaflet files. With
    /// replicas, first checks the primary and every replica once (a replica that does not answer starts out of the
    /// read pool) and opens the primary's connection.
    /// - Throws: `ModelError.invalidArgument` for a missing file or one that is not an UrbanGrid database, replicas of
    ///   a SpatiaLite file, a replica URL that is not PostgreSQL, a primary that is a standby or a replica that
    ///   answers but is no standby of this primary; `ModelError.database` when the primary does not answer.
    public init(configuration: ServiceConfiguration, logger: Logger = Logger(label: "urbangrid.serve")) throws {
        guard configuration.connections > 0, configuration.eventLoopThreads > 0, configuration.defaultLimit >= 1,
              configuration.maximumLimit >= configuration.defaultLimit else {
            throw ModelError.invalidArgument(name: "configuration",
                                             reason: "need connections ≥ 1, event-loop threads ≥ 1 and 1 ≤ default limit ≤ maximum limit")
        }
        guard configuration.maximumReplicaLag > .zero, configuration.replicaCheckInterval > .zero else {
            throw ModelError.invalidArgument(name: "configuration", reason: "the replica lag bound and check interval must be positive")
        }
        self.configuration = configuration
        let location = try DatabaseLocation(configuration.databasePath)
        if configuration.replicas.isEmpty {
            nodes = ReadNodes(primary: location, logger: logger)
            monitor = nil
            primary = nil
        } else {
            guard location.isPostgres else {
                throw ModelError.invalidArgument(name: "replica", reason: "replicas are PostgreSQL streaming replicas: DB must be the primary's postgresql:// URL, not the SpatiaLite file \(location)")
            }
            let replicas = try configuration.replicas.map { text -> DatabaseLocation in
                let r = try DatabaseLocation(text)
                guard r.isPostgres else {
                    throw ModelError.invalidArgument(name: "replica", reason: "\(r) is not a postgresql:// URL (a replica is a PostgreSQL streaming replica of DB)")
                }
                return r
            }
            nodes = ReadNodes(primary: location, replicas: replicas, primaryReads: configuration.primaryReads, logger: logger)
            let monitor = try ReplicaMonitor(nodes: nodes, maximumLag: configuration.maximumReplicaLag, interval: configuration.replicaCheckInterval)
            try monitor.checkAtStart()
            self.monitor = monitor
            primary = try DatabaseWorker(nodes: ReadNodes(primary: location, logger: logger), name: "urbangrid.primary")
        }
        pool = try DatabasePool(nodes: nodes, size: configuration.connections)
        // a lookup never waits on I/O once warm: more connections than cores would only hold more copies of the
        // indexes (and build them at start-up); replicas add none (`QueryPool`)
        queries = try QueryPool(nodes: nodes, size: max(1, min(configuration.connections, ProcessInfo.processInfo.activeProcessorCount)),
                                holidays: configuration.holidays)
        staticFiles = StaticFiles(leafletDirectory: configuration.leafletDirectory)
        caseDesk = CaseDeskState(writers: configuration.enableCases ? try WriterPool(location: location, size: configuration.writers) : nil)
        tokens = TokenCheck(pool: pool, timeLimit: configuration.requestTimeLimit)
    }

    /// Whether Leaflet was found (the map page needs it).
    public var hasLeaflet: Bool { staticFiles.hasLeaflet }

    /// A 200 response with a JSON document.
    public static func json(_ value: JSONValue, type: String = "application/json") throws -> Response {
        try FeaturesAPI.json(value, type: type)
    }

    /// A 200 response with bytes already encoded.
    public static func bytes(_ bytes: [UInt8], type: String) -> Response { FeaturesAPI.bytes(bytes, type: type) }
}

/// The router of the whole service: access log, errors as JSON, limits, then `/` (map page or JSON landing page),
/// the OGC API – Features routes, the static Leaflet files and the query routes (`addQueryRoutes`).
/// - Parameter accessLogger: where the one-line-per-request access log goes.
public func buildRouter(_ service: UrbanGridService, accessLogger: Logger = Logger(label: "urbangrid.http")) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self)
    router.middlewares.add(AccessLogMiddleware(logger: accessLogger))
    router.middlewares.add(ErrorMiddleware())
    router.middlewares.add(RequestLimitsMiddleware(maximumBodyBytes: service.configuration.maximumBodyBytes, writes: service.configuration.enableCases))
    router.middlewares.add(BearerAuthenticator(tokens: service.tokens))
    if service.configuration.authAll { router.middlewares.add(RequireUserMiddleware()) }
    let features = FeaturesAPI(service: service)
    router.get("/") { request, _ in
        try FeaturesAPI.accept(request, "/", formats: ["json", "html"])
        return MapPage.wantsJSON(request) ? try features.landingPage(request) : MapPage.response()
    }
    features.register(on: router)
    if service.nodes.hasReplicas { service.addReplicaRoute(to: router) }
    service.staticFiles.register(on: router)
    service.addQueryRoutes(to: router)
    service.addCaseRoutes(to: router)
    return router
}

/// The `Server` header of every response.
let serverName = "UrbanGrid"

/// The service as a Hummingbird application: `try await buildApplication(config).runService()` serves it; tests
/// call `.test(.router)` on it without a socket.
/// - Parameters:
///   - logger: the service's logger (start-up, failures); the access log uses `accessLogger`.
///   - onListening: called with the host and the port actually bound (useful with port 0).
public func buildApplication(
    _ configuration: ServiceConfiguration,
    logger: Logger = Logger(label: "urbangrid.serve"),
    accessLogger: Logger = Logger(label: "urbangrid.http"),
    onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
) throws -> some ApplicationProtocol {
    let service = try UrbanGridService(configuration: configuration, logger: logger)
    if !service.hasLeaflet {
        logger.warning("Leaflet not found in \(configuration.leafletDirectory): the map page will not draw (install Debian's libjs-leaflet)")
    }
    let router = buildRouter(service, accessLogger: accessLogger)
    let host = configuration.host
    let (pool, timeLimit) = (service.queries, configuration.requestTimeLimit)
    // per connection: the idle timeout, then GET /lookup answered on the event loop (`LookupFastPath`), the rest
    // through the router
    let http1 = HTTP1Channel.Configuration(
        // (with --auth-all every request goes through the router, where the token is checked)
        additionalChannelHandlers: configuration.authAll ? [IdleStateHandler(allTimeout: .seconds(75))] : [
            IdleStateHandler(allTimeout: .seconds(75)),
            LookupFastPath(pool: pool, timeLimit: timeLimit, accessLogger: accessLogger, serverName: serverName),
        ],
        idleTimeout: nil)
    return Application(
        responder: HeadResponder(responder: router.buildResponder()),
        server: .http1(configuration: http1),
        configuration: .init(address: .hostname(host, port: configuration.port), serverName: serverName),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("listening on http://\(host):\(port) (database \(DatabaseLocation.redacted(configuration.databasePath)), \(configuration.enableCases ? "case routes on, \(service.caseDesk.writers?.size ?? 0) writers" : "read-only"), \(configuration.connections) connections\(configuration.authAll ? ", every route needs a token" : ""))")
            if let monitor = service.monitor {
                let replicas = service.nodes.locations.dropFirst().map(\.description).joined(separator: ", ")
                logger.info("reads on the replicas \(replicas) (primary: \(configuration.primaryReads == .fallback ? "only while no replica is in use" : configuration.primaryReads == .share ? "in turn with them" : "never")); each checked every \(configuration.replicaCheckInterval), out of the read pool above \(configuration.maximumReplicaLag) of replay lag; GET /replicas shows them")
                monitor.start()
            }
            // the query indexes (grid locator, street and hazard indexes) of every connection, built now, all at once:
            // the OGC API and the map answer meanwhile; query requests wait for them (within their time limit), and
            // none ever pays for loading them again
            Task {
                let start = ContinuousClock.now
                do {
                    try await service.queries.warmUp()
                    logger.notice("query indexes ready in \(ContinuousClock.now - start)")
                } catch {
                    logger.error("cannot build the query indexes: \(error); the query routes will answer with this error")
                }
            }
            await onListening(host, port)
        },
        eventLoopGroupProvider: .shared(EventLoops.group(threads: configuration.eventLoopThreads)),
        logger: logger)
}

/// The event-loop groups of the services in this process, one per thread count, made on first use and kept for
/// the process's lifetime (as NIO's own singleton group is): tests start several services.
enum EventLoops {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var groups: [Int: MultiThreadedEventLoopGroup] = [:]  // under `lock`

    static func group(threads: Int) -> MultiThreadedEventLoopGroup {
        lock.withLock {
            if let g = groups[threads] { return g }
            let g = MultiThreadedEventLoopGroup(numberOfThreads: threads)
            groups[threads] = g
            return g
        }
    }
}
