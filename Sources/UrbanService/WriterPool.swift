import Foundation
import SpatialCore
import UrbanModel
import UrbanStore

/// The read-write connections of the case routes (`serve --enable-cases`): each on a thread of its own (blocking
/// SQLite and PostgreSQL work stays off the event loops and Swift's cooperative threads), taking jobs from one queue.
/// A SpatiaLite file gets one writer (SQLite lets one writer in at a time; a second connection would only wait on
/// the file lock); PostgreSQL gets `serve --writers` (16 by default). Every job is one transaction of the
/// store (`CaseStore`, `HazardStatusStore`), so a job that fails leaves nothing behind.
final class WriterPool: @unchecked Sendable {  // `jobs` only under `condition`
    private final class Box: @unchecked Sendable {  // a store, touched only by its thread
        let store: any CityStore
        init(_ store: any CityStore) { self.store = store }
    }

    private let condition = NSCondition()
    private var jobs: [@Sendable (any CityStore) -> Void] = []
    private var stopped = false
    let size: Int

    /// Opens the connections (read-write: the newest schema is applied to an older database) and starts a thread per
    /// connection. - Throws: what opening the database throws.
    init(location: DatabaseLocation, size: Int) throws {
        let size = location.isPostgres ? max(1, size) : 1
        self.size = size
        let stores = try (0..<size).map { _ in Box(try City.open(location, readOnly: false)) }
        for (i, box) in stores.enumerated() {
            let thread = Thread { [weak self] in
                while let job = self?.next() { job(box.store) }
            }
            thread.name = "urbangrid.writer.\(i)"
            thread.start()
        }
    }

    deinit {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next job; nil once stopped.
    private func next() -> (@Sendable (any CityStore) -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !stopped { condition.wait() }
        return stopped ? nil : jobs.removeFirst()
    }

    /// Runs `body` on a writer's connection; SQL still running `timeLimit` after the call (waiting included) is
    /// interrupted and its transaction rolled back (`ServiceError.timeLimit`).
    func write<T: Sendable>(timeLimit: Duration, _ body: @escaping @Sendable (any CityStore) throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeLimit
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let job: @Sendable (any CityStore) -> Void = { store in
                    guard ContinuousClock.now < deadline else { return continuation.resume(throwing: ServiceError.timeLimit(timeLimit)) }
                    store.deadline = deadline
                    defer { store.deadline = nil }
                    continuation.resume(with: Result { try body(store) })
                }
                condition.lock()
                jobs.append(job)
                condition.signal()
                condition.unlock()
            }
        } catch SpatialError.sqlite(let code, _, _) where code == 9 {  // SQLITE_INTERRUPT: the deadline passed
            throw ServiceError.timeLimit(timeLimit)
        }
    }
}
