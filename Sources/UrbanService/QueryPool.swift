import Foundation
import SpatialCore
public import UrbanModel
public import UrbanStore

/// The warm query workers the query routes answer from: a few `QueryWorker`s, each on a read-only connection of its
/// own, lent to one request at a time. The layers are read once for all of them (`SharedLayers`); each builds its own
/// GEOS-backed indexes over them.
///
/// Unlike `DatabasePool` (whose connections run SQL on threads of their own), a lookup here runs on the request's
/// own task: after warm-up it touches only memory (the grid locator, the street and hazard indexes), so the thread
/// hops of a dedicated connection thread would cost more than the answer (the service benchmark measured
/// context switches as the largest cost). The few SQL queries (hotspots, a segment or cell asked about) are short
/// and bounded by the deadline. Checkout and checkin are a lock, not an actor hop.
///
/// On PostgreSQL each worker reads through a `RoutedStore`: with streaming replicas the layers are read from a
/// replica (any holds the primary's data) and the later questions go to the replicas in use in turn (retried on
/// another when one is lost), so replicas add no copy of the indexes; on one server alike, the request's deadline is
/// set on the connection only when a question reaches it, so a lookup answered from memory never waits for the
/// server.
public final class QueryPool: @unchecked Sendable {  // `idle` and `waiters` only under `lock`
    /// One connection and its worker (built on first use), handed from request to request: never used by two at
    /// once (the pool's lock decides).
    private final class Lent: @unchecked Sendable {
        let store: any CityStore
        private var built: QueryWorker?
        init(_ store: any CityStore) { self.store = store }

        func worker(_ shared: SharedLayers) throws -> QueryWorker {
            if let built { return built }
            let w = try QueryWorker(store, shared: shared)
            built = w
            return w
        }
    }

    private let lock = NSLock()
    private var idle: [Lent]
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Lent, any Error>)] = []
    private var nextWaiter: UInt64 = 0
    /// Set once `warmUp` has loaded every connection: from then on a lookup touches only memory.
    private var warm = false
    private let shared: SharedLayers
    public let size: Int

    /// Opens `size` read-only connections (nothing is loaded until `warmUp` or the first query).
    public convenience init(path: String, size: Int, holidays: HolidayCalendar = .china) throws {
        try self.init(nodes: ReadNodes(primary: try DatabaseLocation(path)), size: size, holidays: holidays)
    }

    /// `size` workers reading from `nodes` (a file: each on its own connection; PostgreSQL: each through a
    /// `RoutedStore`); vendor zones' `PH` rules follow `holidays`.
    public init(nodes: ReadNodes, size: Int, holidays: HolidayCalendar = .china) throws {
        precondition(size > 0)
        shared = SharedLayers(holidays: holidays)
        idle = try (0..<size).map { _ in
            if nodes.locations[0].isPostgres { return Lent(RoutedStore(try NodeStores(nodes))) }
            return Lent(try City.open(nodes.locations[0], readOnly: true))
        }
        self.size = size
    }

    /// Loads and indexes every layer on every connection. Each is checked out while it warms, so a request that
    /// arrives meanwhile waits for one (within its time limit) instead of sharing it.
    public func warmUp() async throws {
        var taken: [Lent] = []
        defer { for l in taken { checkin(l) } }
        for _ in 0..<size { taken.append(try await checkout(timeLimit: .seconds(3600))) }
        // every worker at once (the first reads the layers, each builds its own GEOS objects); errors after all have
        // finished on Dispatch's threads, not the task's: the service's event loops keep answering meanwhile
        let errors = ErrorBox()
        let (all, shared) = (taken, shared)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                DispatchQueue.concurrentPerform(iterations: all.count) { i in
                    do { try all[i].worker(shared).warmUp() } catch { errors.set(error) }
                }
                done.resume()
            }
        }
        if let e = errors.error { throw e }
        lock.withLock { warm = true }
    }

    private final class ErrorBox: @unchecked Sendable {  // written under its lock
        private let lock = NSLock()
        private(set) var error: (any Error)?
        func set(_ e: any Error) { lock.withLock { if error == nil { error = e } } }
    }

    /// Runs `body` with a worker of its own, within `timeLimit` (waiting included; SQL still running then is
    /// interrupted and `ServiceError.timeLimit` thrown).
    func query<T>(timeLimit: Duration, _ body: (QueryWorker) throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeLimit
        let lent = try await checkout(timeLimit: timeLimit)
        return try run(lent, until: deadline, timeLimit: timeLimit, body)
    }

    /// Runs `body` on `lent` with SQL interrupted at `deadline`, then gives `lent` back to the pool.
    private func run<T>(_ lent: Lent, until deadline: ContinuousClock.Instant, timeLimit: Duration,
                        _ body: (QueryWorker) throws -> T) throws -> T {
        defer { checkin(lent) }
        let store = lent.store
        store.deadline = deadline
        defer { store.deadline = nil }
        do {
            return try body(try lent.worker(shared))
        } catch SpatialError.sqlite(let code, _, _) where code == 9 {  // SQLITE_INTERRUPT: the deadline passed
            throw ServiceError.timeLimit(timeLimit)
        }
    }

    /// Runs `body` at once, on the calling thread, with an idle worker; nil (and `body` not run) when every
    /// one is busy or warm-up has not finished. For `LookupFastPath`, which answers on an event loop and must never
    /// wait there: the caller hands the request to the router instead (which waits, within its time limit).
    func queryNow<T>(timeLimit: Duration, _ body: (QueryWorker) throws -> T) throws -> T? {
        guard let lent = lock.withLock({ warm ? idle.popLast() : nil }) else { return nil }
        return try run(lent, until: ContinuousClock.now + timeLimit, timeLimit: timeLimit, body)
    }

    private func checkout(timeLimit: Duration) async throws -> Lent {
        if let q = lock.withLock({ idle.popLast() }) { return q }
        return try await withCheckedThrowingContinuation { continuation in
            let id: UInt64? = lock.withLock {
                if let q = idle.popLast() {  // freed meanwhile
                    continuation.resume(returning: q)
                    return nil
                }
                nextWaiter += 1
                waiters.append((nextWaiter, continuation))
                return nextWaiter
            }
            guard let id else { return }
            Task { [weak self] in
                try? await Task.sleep(for: timeLimit)
                self?.expire(id, timeLimit)
            }
        }
    }

    private func expire(_ id: UInt64, _ timeLimit: Duration) {
        let waiter = lock.withLock { () -> CheckedContinuation<Lent, any Error>? in
            guard let i = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: i).continuation
        }
        waiter?.resume(throwing: ServiceError.timeLimit(timeLimit))
    }

    private func checkin(_ q: Lent) {
        let waiter = lock.withLock { () -> CheckedContinuation<Lent, any Error>? in
            if waiters.isEmpty {
                idle.append(q)
                return nil
            }
            return waiters.removeFirst().continuation
        }
        waiter?.resume(returning: q)
    }
}
