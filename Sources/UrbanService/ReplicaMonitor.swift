import Foundation
import Logging
import SpatialCore
import UrbanModel
import UrbanStore

/// Checks the primary and every replica of a `ReadNodes` every `interval`, on a thread of its own, and puts each
/// replica in or out of the read pool: in when it answers, is in recovery (a standby), belongs to the primary's
/// cluster (same system identifier) and its replay lag is at most `maximumLag`; out otherwise (logged when that
/// changes, with the reason). The lag comes from write-ahead-log positions (`ReplicationLagClock`): the primary's
/// `pg_current_wal_lsn()` sampled at every check against each replica's `pg_last_wal_replay_lsn()`. While the
/// primary does not answer, the lag cannot be measured and the replicas that answer stay in use (the service
/// keeps answering reads). Each server is asked on a thread of its own with a time limit: one that hangs is out
/// (not answering) and never holds up the others.
final class ReplicaMonitor: @unchecked Sendable {  // `probes` used by one check at a time (`busy`), the rest under `lock`
    let nodes: ReadNodes
    let maximumLag: Duration
    let interval: Duration
    /// The longest a check may take before its server counts as not answering.
    let checkTimeout: Duration
    private let probes: [ReplicaHealth]
    private let lock = NSLock()
    private var lagClock: ReplicationLagClock
    private var busy: [Bool]
    private var primaryIdentifier: String?
    private var primaryAnswers = true
    private var thread: Thread?
    /// Set by `stop`, under `wake`.
    private var stopped = false
    private let wake = NSCondition()

    /// - Throws: `ModelError.invalidArgument` when a location is not a PostgreSQL one.
    init(nodes: ReadNodes, maximumLag: Duration, interval: Duration) throws {
        self.nodes = nodes
        self.maximumLag = maximumLag
        self.interval = interval
        let timeout = max(.seconds(1), min(.seconds(5), maximumLag))
        checkTimeout = timeout
        probes = try nodes.locations.map { location in
            guard case .postgres(let p) = location else {
                throw ModelError.invalidArgument(name: "replica", reason: "\(location): replicas are PostgreSQL streaming replicas, of a PostgreSQL primary")
            }
            return ReplicaHealth(p, timeout: timeout)
        }
        // samples kept long enough to tell any lag up to well past the bound
        lagClock = ReplicationLagClock(window: maximumLag * 3 + interval * 2)
        busy = Array(repeating: false, count: probes.count)
    }

    /// The first round, before the service opens its connections: refuses a primary that is itself a standby, a
    /// replica that answers but is no standby of this primary, and one that refuses the login or has no such
    /// database (a wrong URL, not a passing failure); a replica that does not answer yet only starts out of the pool
    /// (logged), and is checked again every interval.
    /// - Throws: `ModelError.invalidArgument` naming the server (password masked) and what is wrong.
    func checkAtStart() throws {
        let results = round()
        if case .success(let h) = results[0], h.inRecovery {
            throw ModelError.invalidArgument(name: "DB", reason: "\(nodes.locations[0]) is a standby (in recovery), not a primary: give the primary's URL as DB and the standbys as --replica")
        }
        for i in 1..<results.count {
            switch results[i] {
            case .success(let h):
                if let reason = misconfiguration(h) {
                    throw ModelError.invalidArgument(name: "replica", reason: "\(nodes.locations[i]) \(reason)")
                }
            case .failure(let e):
                // a server that answers and refuses the login or has no such database: the URL is wrong, not the server
                let text = "\(e)"
                if ["[SQLSTATE 28P01]", "[SQLSTATE 28000]", "[SQLSTATE 3D000]"].contains(where: text.contains) { throw e }
            }
        }
    }

    /// Starts the periodic checks (idempotent).
    func start() {
        lock.withLock {
            guard thread == nil else { return }
            let t = Thread { [weak self] in
                while let self, !self.waitInterval() { _ = self.round() }
            }
            t.name = "urbangrid.replicas"
            thread = t
            t.start()
        }
    }

    /// Stops the periodic checks (a round under way finishes).
    func stop() {
        wake.withLock {
            stopped = true
            wake.signal()
        }
    }

    /// Waits one interval; true when stopped meanwhile.
    private func waitInterval() -> Bool {
        let until = Date().addingTimeInterval(Self.seconds(interval))
        return wake.withLock {
            while !stopped, wake.wait(until: until) {}
            return stopped
        }
    }

    /// One check of every server, all at once (a primary that hangs does not hold up the replicas' checks). Returns
    /// what each answered (node order; a failure for one that did not answer in time). The primary's position is
    /// taken as of the round's start, before it actually answered: a lag may come out longer than it is by the time
    /// the question took, never shorter.
    @discardableResult
    func round() -> [Result<ServerHealth, any Error>] {
        let started = ContinuousClock.now
        let all = ask(Array(0..<probes.count))
        let primary = all[0]
        switch primary {
        case .success(let h):
            recordPrimary(h, at: started)
            if !lock.withLock({ primaryAnswers }) {
                nodes.logger.notice("primary \(nodes.locations[0]) answers again; replica lag measured again")
            }
            lock.withLock { primaryAnswers = true }
        case .failure(let e):
            if lock.withLock({ primaryAnswers }) {
                nodes.logger.warning("primary \(nodes.locations[0]) does not answer (\(e)): reads stay on the replicas that answer; their lag cannot be measured meanwhile")
            }
            lock.withLock { primaryAnswers = false }
        }
        let now = ContinuousClock.now
        for i in 1..<all.count {
            nodes.checked(i, started: started, verdict(all[i], primaryAnswered: (try? primary.get()) != nil, now: now))
        }
        return all
    }

    /// What the primary answered at `instant`: its position (the lag's reference) and its cluster.
    func recordPrimary(_ h: ServerHealth, at instant: ContinuousClock.Instant) {
        lock.withLock {
            if let p = h.position, !h.inRecovery { lagClock.record(p, at: instant) }
            if let id = h.systemIdentifier { primaryIdentifier = id }
        }
    }

    /// What `answer` means for a replica's place in the pool.
    func verdict(_ answer: Result<ServerHealth, any Error>, primaryAnswered: Bool, now: ContinuousClock.Instant) -> ReadNodes.Verdict {
        let h: ServerHealth
        switch answer {
        case .success(let v): h = v
        case .failure(let e): return .unhealthy("not answering (\(e))", lost: true, lag: nil)
        }
        if let reason = misconfiguration(h) { return .unhealthy(reason, lost: false, lag: nil) }
        guard primaryAnswered, let lag = lock.withLock({ lagClock.lag(replayed: h.position, at: now) }) else {
            return .healthy(lag: nil)
        }
        if lag > maximumLag {
            return .unhealthy("replay lag \(ReadNodes.seconds(lag)) s, above --max-replica-lag \(ReadNodes.seconds(maximumLag)) s"
                              + (h.replayPaused ? " (replay is paused)" : ""), lost: false, lag: lag)
        }
        return .healthy(lag: lag)
    }

    /// Why a replica that answered is no replica of this primary, or nil.
    private func misconfiguration(_ h: ServerHealth) -> String? {
        if !h.inRecovery {
            return "is not in recovery (pg_is_in_recovery() is false): not a streaming replica, or promoted since"
        }
        if let mine = h.systemIdentifier, let primary = lock.withLock({ primaryIdentifier }), mine != primary {
            return "is a standby of another cluster (system identifier \(mine), the primary's \(primary))"
        }
        return nil
    }

    /// Asks the servers `indices` at once, each on a thread of its own, for at most `checkTimeout` (one whose previous
    /// check still hangs is not asked again: it does not answer).
    private func ask(_ indices: [Int]) -> [Result<ServerHealth, any Error>] {
        let results = ResultsBox(count: indices.count)
        let group = DispatchGroup()
        for (k, i) in indices.enumerated() {
            let free = lock.withLock { () -> Bool in
                if busy[i] { return false }
                busy[i] = true
                return true
            }
            guard free else {
                results.set(k, .failure(ModelError.database(nodes.locations[i].description, reason: "the previous health check still waits for an answer")))
                continue
            }
            group.enter()
            let probe = Lent(probes[i])
            Thread.detachNewThread { [self] in
                let r = Result { try probe.value.check() }
                lock.withLock { busy[i] = false }
                results.set(k, r)
                group.leave()
            }
        }
        _ = group.wait(timeout: .now() + Self.seconds(checkTimeout) + 1)
        let limit = checkTimeout
        return (0..<indices.count).map { k in
            results.get(k) ?? .failure(ModelError.database(nodes.locations[indices[k]].description, reason: "no answer within \(limit)"))
        }
    }

    /// A probe handed to the thread that checks with it (`busy` keeps it to one at a time).
    private final class Lent: @unchecked Sendable {
        let value: ReplicaHealth
        init(_ value: ReplicaHealth) { self.value = value }
    }

    private final class ResultsBox: @unchecked Sendable {  // under its lock
        private let lock = NSLock()
        private var results: [Result<ServerHealth, any Error>?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func set(_ k: Int, _ r: Result<ServerHealth, any Error>) { lock.withLock { if results[k] == nil { results[k] = r } } }
        func get(_ k: Int) -> Result<ServerHealth, any Error>? { lock.withLock { results[k] } }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
