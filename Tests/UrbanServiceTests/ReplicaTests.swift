import Foundation
import Logging
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanService
import UrbanStore

/// Where reads go with streaming replicas (`ReadNodes`, `NodeStores`, `RoutedStore`), the replica health verdicts
/// (`ReplicaMonitor`) and the lag from write-ahead-log positions (`ReplicationLagClock`), without a server: the
/// nodes' connections are stand-ins that answer or are lost on demand. Tools/check-replicas.sh runs the same against a
/// real primary and a real streaming replica.
@Suite struct ReplicaTests {
    /// A node's connection: answers `count` with its node number, or fails as a lost server does.
    final class Node: CityStore {
        let number: Int
        var lost = false
        var aborted = false
        var calls = 0
        /// Every deadline set on it, in order.
        var deadlines: [ContinuousClock.Instant?] = []
        var deadline: ContinuousClock.Instant? {
            didSet { deadlines.append(deadline) }
        }

        init(_ number: Int) { self.number = number }

        var displayName: String { "node \(number)" }
        var engine: StorageEngine { .postGIS }
        private func call() throws {
            calls += 1
            if lost { throw ModelError.database(displayName, reason: "the server closed the connection") }
        }
        var timeZone: String { get throws { try call(); return "Asia/Shanghai" } }
        var schemaVersion: Int { get throws { try call(); return 4 } }
        var hasSpatialIndexes: Bool { get throws { try call(); return true } }
        func count(_ layer: UrbanModel.Layer) throws -> Int { try call(); return number }
        func importFeatures(_ features: [Feature], into layer: UrbanModel.Layer, source: String, noding: LayerImport.StreetNoding) throws -> Int {
            try call(); return -number
        }
        func loadClassCodes(components: ClassCodeTable, events: ClassCodeTable) throws -> Int { try call(); return 0 }
        func classCatalog() throws -> ClassCatalog { try call(); return ClassCatalog() }
        func features(_ request: LayerRequest) throws -> [SQLRow] { try call(); return [] }
        func extent(_ layer: UrbanModel.Layer) throws -> Envelope? { try call(); return nil }
        func extent(of layers: [UrbanModel.Layer]) throws -> Envelope? { try call(); return nil }
        func streetBoxes(meeting window: Envelope) throws -> [(pk: Int64, box: Envelope)] { try call(); return [] }
        func openHazardCounts(by unit: HazardHotspot.Unit, top: Int) throws -> [(key: String, count: Int, size: Double?)] { try call(); return [] }
        func streetsWithoutChief() throws -> [(id: String, name: String?)] { try call(); return [] }
        func gridCodesWithoutChief() throws -> [String] { try call(); return [] }
        func gridAreas(under code: String?) throws -> [GridArea] { try call(); return [] }
        func gridStreets() throws -> [Geometry] { try call(); return [] }
        func replaceGrids(with result: GridBuildResult) throws -> Int { try call(); return 0 }
    }

    /// A primary (port 1) and `replicas` replicas (ports 2…); each connection opened is kept in `opened`.
    final class Cluster: @unchecked Sendable {
        let nodes: ReadNodes
        var opened: [Node] = []
        /// Nodes whose server is down: opening a connection fails, and connections made before are lost.
        var down: Set<Int> = []

        init(replicas: Int, primaryReads: ReadNodes.PrimaryReads = .fallback) throws {
            var quiet = Logger(label: "test")
            quiet.logLevel = .critical
            nodes = ReadNodes(primary: try Self.location(1), replicas: try (2..<(2 + replicas)).map(Self.location),
                              primaryReads: primaryReads, logger: quiet)
        }

        static func location(_ port: Int) throws -> DatabaseLocation {
            try DatabaseLocation("postgresql://u:secret@127.0.0.1:\(port)/city", environment: [:])
        }

        /// A worker's connections to this cluster.
        func stores() throws -> NodeStores {
            try NodeStores(nodes, open: { [self] location in
                guard case .postgres(let p) = location else { throw ModelError.invalidArgument(name: "DB", reason: "not a server") }
                let n = p.port - 1
                if down.contains(n) { throw ModelError.database(location.description, reason: "no PostgreSQL server answers") }
                let node = Node(n)
                opened.append(node)
                return node
            }, isAnswering: { [self] store in
                let node = store as! Node
                return !node.lost && !node.aborted && !down.contains(node.number)
            }, abort: { store in
                let node = store as! Node
                node.aborted = true
                node.lost = true
            })
        }

        /// Stops node `n`'s server: its open connections are lost.
        func stop(_ n: Int) {
            down.insert(n)
            for node in opened where node.number == n { node.lost = true }
        }

        func healthy(_ n: Int, started: ContinuousClock.Instant = .now) { nodes.checked(n, started: started, .healthy(lag: .zero)) }
        func unhealthy(_ n: Int, lost: Bool = false) { nodes.checked(n, started: .now, .unhealthy("test", lost: lost, lag: nil)) }

        /// The node each of `n` reads went to.
        func reads(_ n: Int, on stores: NodeStores) throws -> [Int] {
            try (0..<n).map { _ in try stores.read(deadline: nil) { try $0.count(.grids) } }
        }
    }

    // MARK: Choosing a node

    @Test func readsGoToTheReplicasInUseInTurn() throws {
        let c = try Cluster(replicas: 2)
        c.healthy(1)
        c.healthy(2)
        let reads = try c.reads(6, on: try c.stores())
        #expect(reads.filter { $0 == 1 }.count == 3)
        #expect(reads.filter { $0 == 2 }.count == 3)
        #expect(c.nodes.statuses.map(\.reads) == [0, 3, 3])
    }

    @Test func aReplicaOutOfThePoolGetsNoReads() throws {
        let c = try Cluster(replicas: 2)
        c.healthy(1)
        c.healthy(2)
        c.unhealthy(1)
        #expect(try c.reads(5, on: try c.stores()) == [2, 2, 2, 2, 2])
        c.healthy(1)
        #expect(Set(try c.reads(4, on: try c.stores())) == [1, 2])
    }

    @Test func thePrimaryReadsOnlyWhileNoReplicaIsInUse() throws {
        let c = try Cluster(replicas: 2)
        #expect(c.nodes.choose() == 0)  // before the first check
        c.healthy(2)
        #expect(c.nodes.choose() == 2)
        c.unhealthy(2)
        #expect(c.nodes.choose() == 0)
    }

    @Test func primaryReadsShareAndNever() throws {
        let share = try Cluster(replicas: 1, primaryReads: .share)
        share.healthy(1)
        #expect(Set((0..<4).compactMap { _ in share.nodes.choose() }) == [0, 1])
        let never = try Cluster(replicas: 1, primaryReads: .never)
        #expect(never.nodes.choose() == nil)
        never.healthy(1)
        #expect(never.nodes.choose() == 1)
        #expect(never.nodes.choose(excluding: [1]) == nil)
    }

    @Test func withoutReplicasEveryReadGoesToTheDatabase() throws {
        let c = try Cluster(replicas: 0)
        let stores = try c.stores()
        #expect(c.opened.count == 1)  // opened at once: a bad database fails at start-up
        #expect(try c.reads(3, on: stores) == [0, 0, 0])
    }

    @Test func withoutReplicasALostConnectionIsReplacedAndTheReadRetried() throws {
        let c = try Cluster(replicas: 0)
        let stores = try c.stores()
        c.opened[0].lost = true  // the server restarted: the connection is gone, the server answers again
        #expect(try c.reads(2, on: stores) == [0, 0])
        #expect(c.opened.count == 2)
        c.stop(0)  // down for good: 503
        let error = #expect(throws: ServiceError.self) { try stores.read(deadline: nil) { try $0.count(.grids) } }
        #expect(error?.status == .serviceUnavailable)
    }

    // MARK: Losing a replica

    @Test func aReadThatLosesItsReplicaIsAnsweredByAnother() throws {
        let c = try Cluster(replicas: 2)
        c.healthy(1)
        c.healthy(2)
        let stores = try c.stores()
        _ = try c.reads(2, on: stores)  // a connection to each
        c.stop(1)
        let reads = try c.reads(6, on: stores)
        #expect(reads.allSatisfy { $0 == 2 })
        let status = c.nodes.statuses
        #expect(status[1].inUse == false && status[1].failures == 1)
        #expect(status[1].reason?.hasPrefix("lost during a read") == true)
        // every replica lost: the primary answers
        c.stop(2)
        #expect(try c.reads(3, on: stores) == [0, 0, 0])
        #expect(c.nodes.statuses[2].failures == 1)
    }

    @Test func aReplicaThatCannotBeReachedIsSkipped() throws {
        let c = try Cluster(replicas: 2)
        c.healthy(1)
        c.healthy(2)
        c.down.insert(1)  // down before any connection was made: opening fails
        #expect(try c.reads(4, on: try c.stores()).allSatisfy { $0 == 2 })
        #expect(c.nodes.statuses[1].inUse == false)
    }

    @Test func aReadIsRetriedOnceOnly() throws {
        let c = try Cluster(replicas: 2, primaryReads: .never)
        c.healthy(1)
        c.healthy(2)
        let stores = try c.stores()
        _ = try c.reads(2, on: stores)
        c.stop(1)
        c.stop(2)
        #expect(throws: ServiceError.self) { try stores.read(deadline: nil) { try $0.count(.grids) } }
        do {
            _ = try stores.read(deadline: nil) { try $0.count(.grids) }
        } catch let e as ServiceError {
            #expect(e.status == .serviceUnavailable)
            #expect(!e.detail.contains("secret"))
        }
        #expect(c.opened.filter { $0.number > 0 }.map(\.calls).reduce(0, +) == 4)  // 2 reads before, then one try on each
    }

    @Test func anErrorOfTheReadItselfIsNotRetried() throws {
        let c = try Cluster(replicas: 2)
        c.healthy(1)
        c.healthy(2)
        let stores = try c.stores()
        var tries = 0
        #expect(throws: ModelError.self) {
            try stores.read(deadline: nil) { _ -> Int in
                tries += 1
                throw ModelError.database("node", reason: "relation does not exist [SQLSTATE 42P01]")
            }
        }
        #expect(tries == 1)
        #expect(c.nodes.statuses.dropFirst().allSatisfy { $0.inUse })
    }

    @Test func aLostReplicaComesBackOnlyThroughACheckStartedAfterTheLoss() throws {
        let c = try Cluster(replicas: 1)
        let before = ContinuousClock.now
        c.healthy(1)
        let stores = try c.stores()
        _ = try c.reads(1, on: stores)
        c.stop(1)
        #expect(try c.reads(1, on: stores) == [0])
        c.healthy(1, started: before)  // a check under way when the read lost it
        #expect(c.nodes.statuses[1].inUse == false)
        c.down.remove(1)
        c.healthy(1)
        #expect(c.nodes.statuses[1].inUse)
        #expect(try c.reads(1, on: stores) == [1])
        #expect(c.opened.filter { $0.number == 1 }.count == 2)  // the lost connection was replaced
    }

    @Test func theConnectionsOfAReplicaFoundNotAnsweringAreAborted() throws {
        let c = try Cluster(replicas: 2)
        c.healthy(1)
        c.healthy(2)
        let workers = try (0..<3).map { _ in try c.stores() }
        for w in workers { _ = try c.reads(2, on: w) }  // each worker: a connection to each replica
        #expect(c.opened.filter { $0.number == 1 }.count == 3)
        // a check finds replica 1 hanging: every connection to it is closed, so reads waiting on it end
        c.nodes.checked(1, started: .now, .unhealthy("no answer within 5 seconds", lost: true, lag: nil))
        #expect(c.opened.filter { $0.number == 1 }.allSatisfy { $0.aborted })
        #expect(!c.opened.filter { $0.number == 2 }.contains { $0.aborted })
        // the next check saying the same aborts nothing new; when it is back, workers open new connections
        c.nodes.checked(1, started: .now, .unhealthy("no answer within 5 seconds", lost: true, lag: nil))
        c.healthy(1)
        #expect(Set(try c.reads(4, on: workers[0])) == [1, 2])
        #expect(c.opened.filter { $0.number == 1 && !$0.aborted }.count == 1)
    }

    // MARK: RoutedStore

    @Test func aRoutedStoreSetsTheDeadlineOnlyWhenACallReachesAConnection() throws {
        let c = try Cluster(replicas: 1)
        c.healthy(1)
        let routed = RoutedStore(try c.stores())
        #expect(try routed.count(.grids) == 1)
        let node = try #require(c.opened.first { $0.number == 1 })
        let deadline = ContinuousClock.now + .seconds(30)
        for _ in 0..<100 {  // lookups answered from memory: the deadline set and cleared, no call
            routed.deadline = deadline
            routed.deadline = nil
        }
        #expect(node.deadlines.isEmpty)
        routed.deadline = deadline
        _ = try routed.count(.grids)
        _ = try routed.count(.grids)
        #expect(node.deadlines == [deadline])
        routed.deadline = nil
        _ = try routed.count(.grids)
        #expect(node.deadlines == [deadline, nil])
    }

    @Test func aRoutedStoreWritesOnThePrimary() throws {
        let c = try Cluster(replicas: 1)
        c.healthy(1)
        let routed = RoutedStore(try c.stores())
        #expect(try routed.importFeatures([], into: .pois, source: "test", noding: .auto) == 0)  // node 0: -0
        #expect(try routed.count(.pois) == 1)
    }

    // MARK: Health verdicts

    static func monitor(maximumLag: Duration = .seconds(10)) throws -> (ReplicaMonitor, Cluster) {
        let c = try Cluster(replicas: 1)
        return (try ReplicaMonitor(nodes: c.nodes, maximumLag: maximumLag, interval: .seconds(2)), c)
    }

    static func health(_ position: UInt64?, inRecovery: Bool = true, cluster: String? = "7716612471186661848") -> ServerHealth {
        ServerHealth(systemIdentifier: cluster, inRecovery: inRecovery, position: position.map(WALPosition.init))
    }

    @Test func verdicts() throws {
        let (m, _) = try Self.monitor()
        let t0 = ContinuousClock.now
        m.recordPrimary(Self.health(100, inRecovery: false), at: t0)
        m.recordPrimary(Self.health(200, inRecovery: false), at: t0 + .seconds(4))
        m.recordPrimary(Self.health(300, inRecovery: false), at: t0 + .seconds(8))
        let now = t0 + .seconds(14)
        func lag(_ v: ReadNodes.Verdict) -> Duration? {
            switch v {
            case .healthy(let l): l
            case .unhealthy(_, _, let l): l
            }
        }
        func healthy(_ v: ReadNodes.Verdict) -> Bool { if case .healthy = v { true } else { false } }
        // caught up, 6 s behind (missing the primary's position of t0+8), 10 s behind (the position of t0+4): over
        let caughtUp = m.verdict(.success(Self.health(300)), primaryAnswered: true, now: now)
        #expect(healthy(caughtUp) && lag(caughtUp) == .zero)
        let six = m.verdict(.success(Self.health(250)), primaryAnswered: true, now: now)
        #expect(healthy(six) && lag(six) == .seconds(6))
        let ten = m.verdict(.success(Self.health(150)), primaryAnswered: true, now: now + .milliseconds(1))
        #expect(!healthy(ten) && lag(ten)! > .seconds(10))
        // the primary silent: lag unknown, an answering replica stays
        #expect(healthy(m.verdict(.success(Self.health(150)), primaryAnswered: false, now: now)))
        // not answering, promoted, another cluster
        let gone = m.verdict(.failure(ModelError.database("r", reason: "no answer")), primaryAnswered: true, now: now)
        if case .unhealthy(_, let lost, _) = gone { #expect(lost) } else { Issue.record("a replica that does not answer is in use") }
        #expect(!healthy(m.verdict(.success(Self.health(300, inRecovery: false)), primaryAnswered: true, now: now)))
        #expect(!healthy(m.verdict(.success(Self.health(300, cluster: "42")), primaryAnswered: true, now: now)))
    }

    @Test func theReplicasOfAFileAreRefused() throws {
        var config = Fixture.configuration()
        config.replicas = ["postgresql://u:secret@127.0.0.1:1/city"]
        let error = #expect(throws: ModelError.self) { _ = try UrbanGridService(configuration: config) }
        #expect("\(error!)".contains("PostgreSQL"))
        #expect(!"\(error!)".contains("secret"))
    }

    // MARK: Lag from WAL positions

    @Test func lagClock() {
        var clock = ReplicationLagClock(window: .seconds(30))
        let t0 = ContinuousClock.now
        #expect(clock.lag(replayed: WALPosition(5), at: t0) == nil)
        clock.record(WALPosition(10), at: t0)
        clock.record(WALPosition(10), at: t0 + .seconds(2))  // idle primary: one sample, its first instant
        #expect(clock.samples.count == 1)
        #expect(clock.lag(replayed: WALPosition(10), at: t0 + .seconds(60)) == .zero)  // idle and caught up: no lag
        #expect(clock.lag(replayed: WALPosition(9), at: t0 + .seconds(3)) == .seconds(3))
        #expect(clock.lag(replayed: nil, at: t0 + .seconds(3)) == .seconds(3))
        clock.record(WALPosition(20), at: t0 + .seconds(4))
        clock.record(WALPosition(30), at: t0 + .seconds(40))  // t0 and t0+4 fall out of the window
        #expect(clock.samples.map(\.position) == [WALPosition(30)])
        #expect(clock.lag(replayed: WALPosition(25), at: t0 + .seconds(41)) == .seconds(1))
        #expect(WALPosition("16/B374D848")?.value == 0x16_B374_D848)
        #expect(WALPosition("16/B374D848")?.description == "16/B374D848")
        #expect(WALPosition("nonsense") == nil)
    }
}
