public import Foundation
import SpatialCore
import UrbanModel

// The health of PostgreSQL streaming replicas, for `urbangrid serve PRIMARY --replica URL …`: the questions asked of
// the primary and of each replica (the only SQL of it), and how far behind the primary a replica's replay is, in
// time, from the write-ahead-log positions of both.

/// A position in PostgreSQL's write-ahead log (`pg_lsn`, written `HIGH/LOW` in hexadecimal: `0/4000060`).
public struct WALPosition: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Reads `pg_lsn`'s text; nil when it is not `HEX/HEX`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let high = UInt32(parts[0], radix: 16), let low = UInt32(parts[1], radix: 16) else { return nil }
        value = UInt64(high) << 32 | UInt64(low)
    }

    public var description: String { String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true) }

    public static func < (a: WALPosition, b: WALPosition) -> Bool { a.value < b.value }
}

/// What one health check learned of a server.
public struct ServerHealth: Sendable {
    /// `pg_control_system()`'s system identifier: the same on a primary and every physical replica made from it
    /// (`pg_basebackup`), different for any other cluster. Nil when this user may not read it.
    public var systemIdentifier: String?
    /// `pg_is_in_recovery()`: true on a streaming replica (a standby), false on a primary (or a promoted replica).
    public var inRecovery: Bool
    /// On a primary `pg_current_wal_lsn()` (where it writes); on a replica `pg_last_wal_replay_lsn()` (what it has
    /// replayed, so what its queries see). Nil on a replica that has replayed nothing yet.
    public var position: WALPosition?
    /// On a replica, `pg_last_wal_receive_lsn()`: what it has received from the primary (nil when not streaming yet).
    public var received: WALPosition?
    /// On a replica, `pg_last_xact_replay_timestamp()`: when the last transaction it replayed committed on the primary.
    public var lastReplayedCommit: Date?
    /// On a replica, `pg_is_wal_replay_paused()`.
    public var replayPaused: Bool

    public init(systemIdentifier: String?, inRecovery: Bool, position: WALPosition?, received: WALPosition? = nil,
                lastReplayedCommit: Date? = nil, replayPaused: Bool = false) {
        self.systemIdentifier = systemIdentifier
        self.inRecovery = inRecovery
        self.position = position
        self.received = received
        self.lastReplayedCommit = lastReplayedCommit
        self.replayPaused = replayPaused
    }
}

/// One connection to a primary or a replica for the health questions only (never one that reads use), opened on
/// first use and again after a failure; its statements stop after `timeout` (`statement_timeout`). Not
/// thread-safe: one check at a time.
public final class ReplicaHealth {
    public let location: PostgresLocation
    public let timeout: Duration
    private var connection: PGConnection?
    /// The cluster's system identifier, read once per connection (it never changes).
    private var identifier: String?

    public init(_ location: PostgresLocation, timeout: Duration = .seconds(5)) {
        self.location = location
        self.timeout = timeout
    }

    deinit { connection?.close() }

    /// Asks the server; a connection that fails is closed (the next check opens a new one).
    /// - Throws: `ModelError.database` naming the server (password masked) and what went wrong.
    public func check() throws -> ServerHealth {
        do {
            let c = try openConnection()
            // pg_current_wal_lsn() fails during recovery and pg_is_wal_replay_paused() outside it: each only where it
            // answers (CASE evaluates one branch)
            let rows = try c.query("""
                SELECT pg_is_in_recovery(),
                       (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text,
                       pg_last_wal_receive_lsn()::text,
                       extract(epoch FROM pg_last_xact_replay_timestamp())::float8,
                       CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END
                """)
            guard let r = rows.first, r.count == 5 else {
                throw ModelError.database(location.description, reason: "the health query returned no row")
            }
            return ServerHealth(
                systemIdentifier: try systemIdentifier(c), inRecovery: r[0].int == 1, position: r[1].string.flatMap(WALPosition.init),
                received: r[2].string.flatMap(WALPosition.init), lastReplayedCommit: r[3].double.map { Date(timeIntervalSince1970: $0) },
                replayPaused: r[4].int == 1)
        } catch {
            close()
            throw error
        }
    }

    /// Nil when this user may not call `pg_control_system()`.
    private func systemIdentifier(_ c: PGConnection) throws -> String? {
        if let known = identifier { return known }
        do {
            identifier = try c.scalar("SELECT system_identifier::text FROM pg_control_system()").string
        } catch let error as ModelError where error.description.contains("SQLSTATE 42501") {  // insufficient_privilege
            return nil
        }
        return identifier
    }

    private func openConnection() throws -> PGConnection {
        if let c = connection, !c.isClosed { return c }
        let c = try PGConnection(location)
        let ms = max(1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        try c.execute("SELECT set_config('statement_timeout', $1, false)", [.text(String(ms))])
        connection = c
        identifier = nil
        return c
    }

    /// Closes the connection (the next check opens another).
    public func close() {
        connection?.close()
        connection = nil
    }
}

extension PostGISDatabase {
    /// Whether the server still answers on this connection (`SELECT 1`): after a read failed, tells a lost server
    /// (stopped, restarted, unreachable: false) from an error of the statement itself (true). A server that answers
    /// with an error (a statement timeout still set, say) answers.
    public func isAnswering() -> Bool {
        do {
            _ = try connection.scalar("SELECT 1")
            return true
        } catch {
            return "\(error)".contains("[SQLSTATE ")  // the server's own error: it is there
        }
    }

    /// Closes the connection from any thread, at once: a read waiting on a server that stopped answering (hung, or
    /// cut off) ends with an error instead of waiting for TCP to notice. The database is unusable after.
    public func abort() { connection.abort() }
}

/// How far behind the primary a replica's replay is, in time, from write-ahead-log positions: the primary's
/// position is sampled at each check (`record`); a replica's lag is the age of the oldest sample it has not replayed
/// yet (zero when it has replayed the newest one). Unlike `now() - pg_last_xact_replay_timestamp()`, an idle
/// primary does not make a caught-up replica look late, and the clocks of two machines are never compared (every
/// instant is this process's). The lag is known to within one check interval (it lies between the age of the
/// oldest sample not replayed and that of the sample before it); a replica behind every sample kept is at least as
/// late as the oldest (samples are kept for `window`, longer than any bound asked).
public struct ReplicationLagClock: Sendable {
    public private(set) var samples: [(at: ContinuousClock.Instant, position: WALPosition)] = []
    public let window: Duration

    public init(window: Duration) { self.window = window }

    /// The primary was at `position` at `instant` (instants in increasing order).
    public mutating func record(_ position: WALPosition, at instant: ContinuousClock.Instant) {
        // nothing written since the last sample: the primary has been there since that sample's instant
        if samples.last?.position != position { samples.append((instant, position)) }
        let oldest = instant - window
        if let keep = samples.firstIndex(where: { $0.at >= oldest }), keep > 0 {
            samples.removeFirst(keep)
        }
    }

    /// The replay lag of a replica that has replayed up to `replayed` (nil: nothing yet), at `now`; nil before the
    /// first sample.
    public func lag(replayed: WALPosition?, at now: ContinuousClock.Instant) -> Duration? {
        guard let first = samples.first else { return nil }
        guard let replayed else { return max(.zero, now - first.at) }
        guard let missing = samples.first(where: { $0.position > replayed }) else { return .zero }
        return max(.zero, now - missing.at)
    }
}
