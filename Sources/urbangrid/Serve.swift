import ArgumentParser
import CommandSupport
import Foundation
import Logging
import UrbanService
import UrbanStore

extension UrbanGridCommand {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the database over HTTP: OGC API - Features for every layer and a map page at /.",
            discussion: """
                Read-only: the database is opened read-only, one connection per worker, and no route writes. \
                Routes: / (the map for browsers; JSON landing page with ?f=json or Accept: application/json), \
                /api, /conformance, /collections, /collections/{layer}, /collections/{layer}/items \
                (bbox, limit, offset), /collections/{layer}/items/{id}, /static/leaflet/… (Debian's libjs-leaflet). \
                GET /lookup is answered on the event loops (--threads). \
                DB may be a PostgreSQL primary with streaming replicas (--replica URL, repeatable): reads go to the \
                replicas in use, in turn; a replica that does not answer, is no standby of DB or lags more than \
                --max-replica-lag is out of the read pool until a check (every --replica-check-interval) finds it well, \
                a read that loses its replica is answered by another, and GET /replicas shows them. \
                Logs and one access-log line per request go to stderr. --port 0 takes any free port; \
                the log line 'listening on http://HOST:PORT' names it.
                """)

        @Argument(help: "The UrbanGrid database: a SpatiaLite file or a postgresql:// URL (with --replica, the primary).", completion: .file())
        var db: String

        @Option(help: "Address to listen on.")
        var host: String = "127.0.0.1"

        @Option(help: "Port to listen on (0: any free port).")
        var port: Int = 8080

        @Option(help: "Read-only database connections (concurrent reads).")
        var connections: Int = 4

        @Option(help: "Event-loop threads (default: four per core); lookups are answered on them.")
        var threads: Int = ServiceConfiguration.defaultEventLoopThreads

        @Option(help: "Seconds a request may take (waiting for a connection included) before it is stopped with 503.")
        var timeLimit: Double = 30

        @Option(help: "Largest page of features (items' limit is clamped to it).")
        var maxLimit: Int = 10_000

        @Option(help: "Directory holding leaflet.js, leaflet.css and images/ (Debian's libjs-leaflet).", completion: .directory)
        var leaflet: String = "/usr/share/javascript/leaflet"

        @Option(name: .customLong("replica"),
                help: ArgumentHelp("A PostgreSQL streaming replica of DB (a postgresql:// URL; repeatable): reads go to the replicas in use, in turn.",
                                   valueName: "url"))
        var replicas: [String] = []

        @Option(help: ArgumentHelp("Seconds of replay lag above which a replica leaves the read pool (until it catches up).", valueName: "seconds"))
        var maxReplicaLag: Double = 10

        @Option(help: ArgumentHelp("Seconds between health checks of the primary and the replicas.", valueName: "seconds"))
        var replicaCheckInterval: Double = 2

        @Option(help: "With replicas, reads on the primary: fallback (only while no replica is in use), share (in turn with the replicas), never.")
        var primaryReads: ReadNodes.PrimaryReads = .fallback

        @OptionGroup var holidays: HolidaysOption

        @Flag(help: "The case loop's write routes: POST /cases, /cases/{id}/{action}, /hazards/{id}/status (bearer tokens of 'urbangrid users').")
        var enableCases = false

        @Option(help: "With --enable-cases on PostgreSQL: read-write connections of the case routes (a report waits for its commit to reach the disk; more writers, more reports at once). A SpatiaLite file has one.")
        var writers: Int = 16

        @Flag(help: "Every route needs a bearer token (else only /cases… and /assessment do).")
        var authAll = false

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
            guard (1...64).contains(connections) else { throw ValidationError("--connections must be 1...64") }
            guard (1...64).contains(writers) else { throw ValidationError("--writers must be 1...64") }
            guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1...256") }
            guard timeLimit > 0, timeLimit.isFinite else { throw ValidationError("--time-limit must be a positive number of seconds") }
            guard maxLimit >= 100 else { throw ValidationError("--max-limit must be at least 100 (the default page)") }
            guard maxReplicaLag > 0, maxReplicaLag.isFinite else { throw ValidationError("--max-replica-lag must be a positive number of seconds") }
            guard replicaCheckInterval >= 0.1, replicaCheckInterval.isFinite else { throw ValidationError("--replica-check-interval must be at least 0.1 seconds") }
            if !replicas.isEmpty, !Self.isPostgresURL(db) {
                throw ValidationError("--replica needs a PostgreSQL primary: DB must be its postgresql:// URL (replicas are PostgreSQL streaming replicas), not a SpatiaLite file")
            }
            if let bad = replicas.first(where: { !Self.isPostgresURL($0) }) {
                throw ValidationError("--replica \(DatabaseLocation.redacted(bad)) is not a postgresql:// URL")
            }
        }

        static func isPostgresURL(_ text: String) -> Bool {
            let lower = text.lowercased()
            return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
        }

        func run() throws {
            let config = ServiceConfiguration(
                databasePath: db, host: host, port: port, connections: connections,
                maximumLimit: maxLimit, requestTimeLimit: .milliseconds(Int64(timeLimit * 1000)), leafletDirectory: leaflet,
                eventLoopThreads: threads, replicas: replicas, maximumReplicaLag: .milliseconds(Int64(maxReplicaLag * 1000)),
                replicaCheckInterval: .milliseconds(Int64(replicaCheckInterval * 1000)), primaryReads: primaryReads,
                holidays: try holidays.calendar(), enableCases: enableCases, authAll: authAll, writers: writers)
            // open the database now, so a bad DB is exit status 2 with its message, before anything listens
            // the access log (a line per request) through a buffer: written to stderr every 100 ms, not per line
            let accessLogger = Logger(label: "urbangrid.http") { BufferedLogHandler(label: $0, level: logLevel) }
            let app = try buildApplication(config, accessLogger: accessLogger)
            let done = DispatchSemaphore(value: 0)
            let failure = FailureBox()
            Task {
                do {
                    // SIGINT/SIGTERM end the process through CommandSupport's handler (nothing to flush: read-only)
                    try await app.runService(gracefulShutdownSignals: [])
                } catch {
                    failure.error = error
                }
                done.signal()
            }
            done.wait()
            if let error = failure.error { throw error }
        }
    }
}

/// The error of the server task, handed to the waiting main thread (written before the semaphore's signal,
/// read after its wait).
private final class FailureBox: @unchecked Sendable {
    var error: (any Error)?
}

extension ReadNodes.PrimaryReads: ExpressibleByArgument {}
