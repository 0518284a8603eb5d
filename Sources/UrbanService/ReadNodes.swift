public import Foundation
import Hummingbird
public import Logging
import SpatialCore
import UrbanModel
public import UrbanStore

/// The databases the service reads from, and which one each read goes to: the database of `serve DB` alone (a
/// SpatiaLite file or a PostgreSQL server), or a PostgreSQL primary with streaming replicas (`--replica`). Node 0 is
/// the primary, nodes 1… the replicas in the order given.
///
/// With replicas, reads go to the replicas in use, in turn (round robin, per read), and to the primary only as
/// `primaryReads` says (by default when no replica is in use). A replica is in use when its last health check
/// (`ReplicaMonitor`) found it answering, streaming from this primary and within the lag bound; a read that finds
/// it gone takes it out at once (`readFailed`), and only a check started after that puts it back. Thread-safe.
public final class ReadNodes: @unchecked Sendable {  // mutable state under `lock`
    /// Whether reads go to the primary when replicas are configured.
    public enum PrimaryReads: String, Sendable, CaseIterable {
        /// Only while no replica is in use (the default): the primary's capacity stays for writes and imports, and
        /// the service keeps answering when every replica is lost.
        case fallback
        /// The primary takes its turn with the replicas in use.
        case share
        /// Never: with no replica in use, reads fail (503) and the primary is left alone.
        case never
    }

    /// One node as `/replicas` shows it.
    public struct Status: Sendable {
        /// The URL with its password as `***`.
        public var name: String
        public var isPrimary: Bool
        /// Reads may go there now.
        public var inUse: Bool
        /// Why not, when not (or nil).
        public var reason: String?
        /// The replay lag at the last check (replicas; nil when unknown).
        public var lag: Duration?
        /// Reads answered there, and reads that failed there because it was lost (each retried on another node).
        public var reads: Int, failures: Int
        /// When the last health check of it ended (nil before the first, and for the primary without replicas).
        public var checkedAt: Date?
    }

    public let locations: [DatabaseLocation]
    public let primaryReads: PrimaryReads
    let logger: Logger
    private let lock = NSLock()
    private var status: [Status]
    /// Bumped when a node is lost: the workers then drop their connections to it and open new ones when it is back.
    private var generations: [Int]
    /// When each node was last taken out (a check that started before cannot put it back).
    private var outSince: [ContinuousClock.Instant?]
    /// Whether each node was found not answering (by a check or a read) and has not answered a check since.
    private var lost: [Bool]
    /// The workers' open connections to each node, with their generation and how to abort them: when the node is
    /// lost, those still open are aborted, so that a read waiting on a server that hangs ends (and is retried
    /// elsewhere) instead of waiting for TCP to notice.
    private var connections: [[(generation: Int, store: Weak, abort: (any CityStore) -> Void)]]
    private var turn = 0

    final class Weak: @unchecked Sendable {
        weak var store: (any CityStore)?
        init(_ store: any CityStore) { self.store = store }
    }

    /// - Parameters:
    ///   - primary: the database of `serve DB`.
    ///   - replicas: its streaming replicas (PostgreSQL only); each starts out of use until its first check.
    public init(primary: DatabaseLocation, replicas: [DatabaseLocation] = [], primaryReads: PrimaryReads = .fallback,
                logger: Logger = Logger(label: "urbangrid.serve")) {
        locations = [primary] + replicas
        self.primaryReads = primaryReads
        self.logger = logger
        status = locations.enumerated().map { i, l in
            Status(name: l.description, isPrimary: i == 0, inUse: i == 0, reason: i == 0 ? nil : "not checked yet", lag: nil,
                   reads: 0, failures: 0, checkedAt: nil)
        }
        generations = Array(repeating: 0, count: locations.count)
        outSince = Array(repeating: nil, count: locations.count)
        lost = Array(repeating: false, count: locations.count)
        connections = Array(repeating: [], count: locations.count)
    }

    /// Whether there are replicas (otherwise every read goes to node 0 and none is retried elsewhere).
    public var hasReplicas: Bool { locations.count > 1 }

    /// Every node's state, primary first.
    public var statuses: [Status] { lock.withLock { status } }

    /// The node for the next read, not one of `excluded`: the next replica in use in turn, or the primary as
    /// `primaryReads` allows; nil when none may take it.
    public func choose(excluding excluded: Set<Int> = []) -> Int? {
        guard hasReplicas else { return excluded.contains(0) ? nil : 0 }
        return lock.withLock {
            var candidates: [Int] = []
            for i in 1..<status.count where status[i].inUse && !excluded.contains(i) { candidates.append(i) }
            let primaryAllowed = !excluded.contains(0) && primaryReads != .never
            if primaryReads == .share, primaryAllowed { candidates.append(0) }
            if candidates.isEmpty { return primaryAllowed ? 0 : nil }
            turn &+= 1
            return candidates[turn % candidates.count]
        }
    }

    /// The generation of `node`'s connections (see `generations`).
    func generation(_ node: Int) -> Int { lock.withLock { generations[node] } }

    /// A worker opened `store` on `node` in `generation`; `abort` closes it from any thread (at once when the node
    /// was lost meanwhile).
    func opened(_ store: any CityStore, on node: Int, generation: Int, abort: @escaping (any CityStore) -> Void) {
        let stale = lock.withLock { () -> Bool in
            guard generation == generations[node] else { return true }
            connections[node].removeAll { $0.store.store == nil }
            connections[node].append((generation, Weak(store), abort))
            return false
        }
        if stale { abort(store) }
    }

    /// Bumps `node`'s generation (under `lock`) and returns the connections of older generations still open, to be
    /// aborted once the lock is released.
    private func newGeneration(_ node: Int) -> [() -> Void] {
        generations[node] += 1
        let old = connections[node]
        connections[node] = []
        return old.compactMap { c in c.store.store.map { store in { c.abort(store) } } }
    }

    /// A read was answered on `node`.
    func served(_ node: Int) { lock.withLock { status[node].reads += 1 } }

    /// A read found `node` gone (it no longer answers): a replica is taken out at once, until a health check
    /// started after now finds it well; the workers' connections to it are dropped.
    func readFailed(_ node: Int, _ error: any Error) {
        let (taken, aborts) = lock.withLock { () -> (Bool, [() -> Void]) in
            status[node].failures += 1
            let aborts = newGeneration(node)
            lost[node] = true
            guard node > 0, status[node].inUse else { return (false, aborts) }
            status[node].inUse = false
            status[node].reason = "lost during a read: \(error)"
            outSince[node] = .now
            return (true, aborts)
        }
        for abort in aborts { abort() }
        if taken {
            logger.warning("replica \(locations[node]) taken out of the read pool: lost during a read (\(error)); the read is retried on another node")
        } else if node == 0 {
            logger.warning("\(hasReplicas ? "primary" : "database") \(locations[0]) lost during a read: \(error)")
        }
    }

    /// What a health check concluded of a replica.
    enum Verdict {
        /// Reads may go there; its replay lag (nil: unknown, the primary did not answer).
        case healthy(lag: Duration?)
        /// Not now, and why; `lost`: it does not answer (the workers' connections to it are dropped).
        case unhealthy(String, lost: Bool, lag: Duration?)
    }

    /// Applies a health check of replica `node` that started at `started`: puts it in or out of use (logged when
    /// that changes).
    func checked(_ node: Int, started: ContinuousClock.Instant, _ verdict: Verdict) {
        precondition(node > 0)
        enum Change { case none, back(Duration?), out(String) }
        var aborts: [() -> Void] = []
        let change = lock.withLock { () -> Change in
            let first = status[node].checkedAt == nil
            status[node].checkedAt = Date()
            switch verdict {
            case .healthy(let lag):
                status[node].lag = lag
                lost[node] = false
                guard !status[node].inUse else { return .none }
                if let out = outSince[node], started < out { return .none }  // this check may predate the loss
                status[node].inUse = true
                status[node].reason = nil
                return .back(lag)
            case .unhealthy(let reason, let isLost, let lag):
                status[node].lag = lag
                if isLost, !lost[node] { aborts = newGeneration(node) }
                lost[node] = isLost
                status[node].reason = reason
                guard status[node].inUse || first else { return .none }
                status[node].inUse = false
                outSince[node] = .now
                return .out(reason)
            }
        }
        for abort in aborts { abort() }
        switch change {
        case .none: break
        case .back(let lag):
            logger.notice("replica \(locations[node]) in the read pool\(lag.map { " (replay lag \(Self.seconds($0)) s)" } ?? "")")
        case .out(let reason):
            logger.warning("replica \(locations[node]) out of the read pool: \(reason)")
        }
    }

    /// `d` in seconds with one decimal.
    static func seconds(_ d: Duration) -> String {
        String(format: "%.1f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
}

/// One worker's connections, one per node, each opened when a read first goes there (the single database of a
/// `serve DB` without replicas: at once, so a bad database fails at start-up) and opened again after that node was
/// lost. `read` runs a body on the chosen node's connection and, when that node turns out to be gone, once more on
/// another: a client sees no error when a replica dies under its request. Not thread-safe: one read at a time (each
/// worker is lent to one request at a time).
final class NodeStores {
    let nodes: ReadNodes
    private var stores: [Int: (store: any CityStore, generation: Int)] = [:]
    private let open: (DatabaseLocation) throws -> any CityStore
    private let isAnswering: (any CityStore) -> Bool
    private let abort: (any CityStore) -> Void

    /// - Parameters:
    ///   - open: opens a node's database (default: read-only, `City.open`).
    ///   - isAnswering: after a failed read, whether the node still answers (default: `PostGISDatabase.isAnswering`;
    ///     a SpatiaLite file always does).
    ///   - abort: closes a connection from another thread when its node is lost (default: `PostGISDatabase.abort`).
    init(_ nodes: ReadNodes,
         open: @escaping (DatabaseLocation) throws -> any CityStore = { try City.open($0, readOnly: true) },
         isAnswering: @escaping (any CityStore) -> Bool = { ($0 as? PostGISDatabase)?.isAnswering() ?? true },
         abort: @escaping (any CityStore) -> Void = { ($0 as? PostGISDatabase)?.abort() }) throws {
        self.nodes = nodes
        self.open = open
        self.isAnswering = isAnswering
        self.abort = abort
        if !nodes.hasReplicas { _ = try store(0) }
    }

    /// Runs `body` on a node's connection with `deadline` set (statements still running then stop). A failure of the
    /// body on a node that no longer answers (a replica stopped, the server restarted) takes that node out and runs
    /// `body` once more on another (without replicas: on a new connection to the same server, which answers again
    /// after a restart); any other failure is the body's own and is thrown as it is.
    /// - Parameter resetDeadline: clear the connection's deadline after `body` (otherwise it stays until the next
    ///   read sets its own: `RoutedStore` asks for many short reads and sets the deadline only when it changes).
    /// - Throws: the body's errors; `ServiceError.unavailable` when no node could answer.
    func read<T>(deadline: ContinuousClock.Instant?, resetDeadline: Bool = true, _ body: (any CityStore) throws -> T) throws -> T {
        var excluded: Set<Int> = []
        var lastFailure: (any Error)?
        for _ in 0..<2 {  // the node chosen first and, when it was lost, one other (one server alone: a new connection to it)
            guard let node = nodes.choose(excluding: excluded) else { break }
            let store: any CityStore
            do {
                store = try self.store(node)
            } catch {
                guard nodes.hasReplicas else { throw Self.unavailable(error, nodes) }
                nodes.readFailed(node, error)
                excluded.insert(node)
                lastFailure = error
                continue
            }
            do {
                if store.deadline != deadline { store.deadline = deadline }
                defer { if resetDeadline, deadline != nil { store.deadline = nil } }
                let value = try body(store)
                nodes.served(node)
                return value
            } catch let error as ServiceError {
                throw error
            } catch let error as ParameterError {
                throw error
            } catch {
                guard store.engine == .postGIS, !isAnswering(store) else { throw error }
                stores[node] = nil
                nodes.readFailed(node, error)
                if nodes.hasReplicas { excluded.insert(node) }
                lastFailure = error
            }
        }
        throw Self.unavailable(lastFailure, nodes)
    }

    /// Runs `body` on the primary's connection (writes), without retrying elsewhere.
    func onPrimary<T>(deadline: ContinuousClock.Instant?, _ body: (any CityStore) throws -> T) throws -> T {
        let store = try self.store(0)
        if store.deadline != deadline { store.deadline = deadline }
        return try body(store)
    }

    /// The connection to `node`, opened now if there is none (or only one from before the node was lost).
    private func store(_ node: Int) throws -> any CityStore {
        let generation = nodes.generation(node)
        if let s = stores[node], s.generation == generation { return s.store }
        stores[node] = nil
        let s = try open(nodes.locations[node])
        stores[node] = (s, generation)
        if nodes.hasReplicas { nodes.opened(s, on: node, generation: generation, abort: abort) }
        return s
    }

    /// 503 for a read no node could answer; the details (the servers' own words, URLs masked) go to the log.
    static func unavailable(_ error: (any Error)?, _ nodes: ReadNodes) -> ServiceError {
        if let error { nodes.logger.error("read failed: no database answered (last: \(error))") }
        return ServiceError(.serviceUnavailable, code: "DatabaseUnavailable",
                            nodes.hasReplicas ? "neither the replicas nor the primary could answer; try again" : "the database does not answer; try again")
    }
}

/// A `CityStore` whose every call goes to a node of `NodeStores` (a replica in turn, retried on another when it is
/// lost), for the workers of `QueryPool`: their layers are read once from whichever node answers (a replica
/// holds the primary's data, so any is as good), and the few questions they ask later (hotspots) go where reads go.
/// The deadline is kept here and set on a connection only when a call reaches it, so a lookup answered from memory
/// costs no round trip to the server. Writes go to the primary. Not thread-safe (one worker, one request).
final class RoutedStore: CityStore {
    let stores: NodeStores
    var deadline: ContinuousClock.Instant?

    init(_ stores: NodeStores) { self.stores = stores }

    private func read<T>(_ body: (any CityStore) throws -> T) throws -> T {
        try stores.read(deadline: deadline, resetDeadline: false, body)
    }

    var displayName: String { stores.nodes.locations[0].description }
    var engine: StorageEngine { stores.nodes.locations[0].isPostgres ? .postGIS : .spatiaLite }
    var timeZone: String { get throws { try read { try $0.timeZone } } }
    var schemaVersion: Int { get throws { try read { try $0.schemaVersion } } }
    var hasSpatialIndexes: Bool { get throws { try read { try $0.hasSpatialIndexes } } }

    func count(_ layer: UrbanModel.Layer) throws -> Int { try read { try $0.count(layer) } }
    func features(_ request: LayerRequest) throws -> [SQLRow] { try read { try $0.features(request) } }
    func classCatalog() throws -> ClassCatalog { try read { try $0.classCatalog() } }
    func extent(_ layer: UrbanModel.Layer) throws -> Envelope? { try read { try $0.extent(layer) } }
    func extent(of layers: [UrbanModel.Layer]) throws -> Envelope? { try read { try $0.extent(of: layers) } }
    func streetBoxes(meeting window: Envelope) throws -> [(pk: Int64, box: Envelope)] { try read { try $0.streetBoxes(meeting: window) } }
    func openHazardCounts(by unit: HazardHotspot.Unit, top: Int) throws -> [(key: String, count: Int, size: Double?)] {
        try read { try $0.openHazardCounts(by: unit, top: top) }
    }
    func streetsWithoutChief() throws -> [(id: String, name: String?)] { try read { try $0.streetsWithoutChief() } }
    func gridCodesWithoutChief() throws -> [String] { try read { try $0.gridCodesWithoutChief() } }
    func gridAreas(under code: String?) throws -> [GridArea] { try read { try $0.gridAreas(under: code) } }
    func gridStreets() throws -> [Geometry] { try read { try $0.gridStreets() } }

    @discardableResult
    func importFeatures(_ features: [Feature], into layer: UrbanModel.Layer, source: String, noding: LayerImport.StreetNoding) throws -> Int {
        try stores.onPrimary(deadline: deadline) { try $0.importFeatures(features, into: layer, source: source, noding: noding) }
    }

    @discardableResult
    func loadClassCodes(components: ClassCodeTable, events: ClassCodeTable) throws -> Int {
        try stores.onPrimary(deadline: deadline) { try $0.loadClassCodes(components: components, events: events) }
    }

    @discardableResult
    func replaceGrids(with result: GridBuildResult) throws -> Int {
        try stores.onPrimary(deadline: deadline) { try $0.replaceGrids(with: result) }
    }
}

extension DatabaseLocation {
    var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }
}

extension ReadNodes {
    /// The nodes as `GET /replicas` answers: the primary's reads, then each replica's state.
    func json(maximumLag: Duration, interval: Duration) -> JSONValue {
        func node(_ s: Status) -> JSONValue {
            var o: JSONObject = ["url": .string(s.name), "reads": .int(Int64(s.reads)), "failed_reads": .int(Int64(s.failures))]
            if !s.isPrimary {
                o["in_use"] = .bool(s.inUse)
                o["reason"] = s.reason.map(JSONValue.string) ?? .null
                o["lag_s"] = s.lag.map { .number((ReplicaMonitor.seconds($0) * 1000).rounded() / 1000) } ?? .null
                o["checked_at"] = s.checkedAt.map { .string($0.formatted(.iso8601)) } ?? .null
            }
            return .object(o)
        }
        let all = statuses
        return [
            "primary": node(all[0]),
            "primary_reads": .string(primaryReads.rawValue),
            "max_replica_lag_s": .number(ReplicaMonitor.seconds(maximumLag)),
            "check_interval_s": .number(ReplicaMonitor.seconds(interval)),
            "replicas": .array(all.dropFirst().map(node)),
        ]
    }
}

extension UrbanGridService {
    /// `GET /replicas` (only with replicas): where reads go, each replica in or out of the read pool and why, its
    /// replay lag at the last check and the reads it answered.
    func addReplicaRoute(to router: Router<ServiceRequestContext>) {
        let (nodes, lag, interval) = (self.nodes, configuration.maximumReplicaLag, configuration.replicaCheckInterval)
        router.get("/replicas") { request, _ -> Response in
            for (name, value) in request.uri.queryParameters where !(name == "f" && value == "json") {
                throw ServiceError.badParameter(String(name.prefix(100)), "unknown parameter for /replicas; it takes f=json")
            }
            return try Self.json(nodes.json(maximumLag: lag, interval: interval))
        }
    }
}
