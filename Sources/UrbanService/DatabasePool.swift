import Foundation
import SpatialCore
public import UrbanModel
public import UrbanStore

/// One worker's read-only connections (`NodeStores`: the database, or with replicas one per node, opened when first
/// used) and the thread they are used on. A connection is not thread-safe; a worker is handed to one request at a
/// time by `DatabasePool`, and its connections are touched only by its own thread (blocking SQLite and PostgreSQL
/// work stays off Swift's cooperative threads and NIO's event loops, and a dedicated thread starts a job at once,
/// where a GCD queue may wait for a free pool thread on a loaded machine).
final class DatabaseWorker: @unchecked Sendable {
    /// The jobs waiting for the thread; shared by the worker and its thread, so the worker can stop the thread.
    private final class Jobs: @unchecked Sendable {
        let condition = NSCondition()
        var pending: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let stores: NodeStores
    private let jobs = Jobs()

    init(nodes: ReadNodes, name: String) throws {
        stores = try NodeStores(nodes)
        let jobs = self.jobs
        let thread = Thread {
            while true {
                jobs.condition.lock()
                while jobs.pending.isEmpty && !jobs.stopped { jobs.condition.wait() }
                if jobs.pending.isEmpty {  // stopped and drained
                    jobs.condition.unlock()
                    return
                }
                let job = jobs.pending.removeFirst()
                jobs.condition.unlock()
                job()
            }
        }
        thread.name = name
        thread.start()
    }

    deinit {
        jobs.condition.lock()
        jobs.stopped = true
        jobs.condition.signal()
        jobs.condition.unlock()
    }

    /// Runs `body` on the worker's thread, on the connection `NodeStores.read` chooses (and once more on another
    /// node when a replica is lost under it); SQL still running at `deadline` is interrupted (SQLITE_INTERRUPT on a
    /// file, `statement_timeout` on PostgreSQL).
    func run<T: Sendable>(deadline: ContinuousClock.Instant, _ body: @escaping @Sendable (any CityStore) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job: @Sendable () -> Void = {
                continuation.resume(with: Result { try self.stores.read(deadline: deadline, body) })
            }
            jobs.condition.lock()
            jobs.pending.append(job)
            jobs.condition.signal()
            jobs.condition.unlock()
        }
    }
}

/// A small pool of read-only connections to the database: a request checks one out, reads on it, and gives it
/// back, so no connection (nor the GEOS handles a query makes on it) is ever used by two requests at once.
/// Requests beyond the pool's size wait, up to the time limit. With streaming replicas (`ReadNodes`) each worker
/// reads from the replicas in use, in turn, and from the primary as `ReadNodes.primaryReads` says.
public actor DatabasePool {
    private var idle: [DatabaseWorker]
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<DatabaseWorker, any Error>)] = []
    private var nextWaiter: UInt64 = 0
    public nonisolated let size: Int
    /// The database (the primary), as it may be shown (a URL's password as `***`).
    public nonisolated let path: String

    /// Opens `size` read-only connections.
    /// - Throws: `ModelError.invalidArgument` (no such file, not an UrbanGrid database), `SpatialError.sqlite`.
    public init(path: String, size: Int) throws {
        try self.init(nodes: ReadNodes(primary: try DatabaseLocation(path)), size: size)
    }

    /// `size` workers reading from `nodes`: without replicas each opens its connection now; with replicas each
    /// opens one to a node when a read first goes there.
    public init(nodes: ReadNodes, size: Int) throws {
        precondition(size > 0)
        idle = try (0..<size).map { try DatabaseWorker(nodes: nodes, name: "urbangrid.db.\($0)") }
        self.size = size
        path = nodes.locations[0].description
    }

    /// Runs `body` on a connection of its own, within `timeLimit` (waiting included): when the limit passes, the
    /// running SQL is interrupted (`SpatiaLiteStore.deadline`) and `ServiceError.timeLimit` thrown. `body` runs on
    /// the connection's queue.
    public func read<T: Sendable>(timeLimit: Duration, _ body: @escaping @Sendable (any CityStore) throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeLimit
        let worker = try await checkout(timeLimit: timeLimit)
        defer { checkin(worker) }
        // the wait alone may have used the limit up (the expiry task runs late on a starved machine)
        guard ContinuousClock.now < deadline else { throw ServiceError.timeLimit(timeLimit) }
        do {
            return try await worker.run(deadline: deadline, body)
        } catch SpatialError.sqlite(let code, _, _) where code == 9 {  // SQLITE_INTERRUPT: the deadline passed
            throw ServiceError.timeLimit(timeLimit)
        }
    }

    private func checkout(timeLimit: Duration) async throws -> DatabaseWorker {
        if let w = idle.popLast() { return w }
        nextWaiter += 1
        let id = nextWaiter
        return try await withCheckedThrowingContinuation { continuation in
            waiters.append((id, continuation))
            Task { [weak self] in
                try? await Task.sleep(for: timeLimit)
                await self?.expire(id, timeLimit)
            }
        }
    }

    private func expire(_ id: UInt64, _ timeLimit: Duration) {
        guard let i = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: i).continuation.resume(throwing: ServiceError.timeLimit(timeLimit))
    }

    private func checkin(_ worker: DatabaseWorker) {
        if waiters.isEmpty {
            idle.append(worker)
        } else {
            waiters.removeFirst().continuation.resume(returning: worker)
        }
    }
}
