import Foundation
import SpatialCore
public import UrbanModel

/// Matched patrol traversals on PostgreSQL: times `timestamptz`, rows sent by COPY in batches inside the file's one
/// transaction.
extension PostGISDatabase: PatrolStore {
    // Version 7 is the case loop's (another branch); see `migrate`: every version not yet recorded is applied.
    static let patrolStatements = [
        """
        CREATE TABLE patrol_traversals(pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, inspector text COLLATE "C" NOT NULL,
                                       segment_id text COLLATE "C" NOT NULL, entered_at timestamptz NOT NULL, left_at timestamptz NOT NULL,
                                       fraction double precision NOT NULL, metres double precision NOT NULL, source text NOT NULL)
        """,
        "CREATE INDEX patrol_traversals_time ON patrol_traversals(entered_at, left_at)",
        "CREATE INDEX patrol_traversals_segment ON patrol_traversals(segment_id)",
    ]

    public func importTraversals(source: String, _ produce: ((PatrolTraversal) throws -> Void) throws -> Void) throws -> Int {
        let zone = try cityTimeZone
        let columns = ["inspector", "segment_id", "entered_at", "left_at", "fraction", "metres", "source"]
        return try connection.transaction {
            var lines: [UInt8] = [], pending = 0, n = 0
            func send() throws {
                guard pending > 0 else { return }
                try connection.copy(into: "patrol_traversals", columns: columns, lines: lines)
                lines.removeAll(keepingCapacity: true)
                pending = 0
            }
            try produce { t in
                for (i, text) in [t.inspector, t.segmentID, ISOTime.string(Date(timeIntervalSince1970: t.enteredAt), in: zone),
                                  ISOTime.string(Date(timeIntervalSince1970: t.leftAt), in: zone), "\(t.fraction)", "\(t.metres)", source].enumerated() {
                    if i > 0 { lines.append(0x09) }
                    CopyText.escape(text, to: &lines)
                }
                lines.append(0x0A)
                pending += 1
                n += 1
                if pending >= 4096 { try send() }
            }
            try send()
            return n
        }
    }

    public func traversals(from: Double, to: Double) throws -> [PatrolTraversal] {
        try connection.query("""
            SELECT inspector, segment_id, extract(epoch FROM entered_at)::float8, extract(epoch FROM left_at)::float8, fraction, metres
            FROM patrol_traversals WHERE entered_at < to_timestamp($1) AND left_at >= to_timestamp($2) ORDER BY inspector, entered_at, pk
            """, [.real(to), .real(from)]).map { r in
            PatrolTraversal(inspector: r[0].string ?? "", segmentID: r[1].string ?? "", enteredAt: r[2].double ?? 0, leftAt: r[3].double ?? 0,
                            fraction: r[4].double ?? 0, metres: r[5].double ?? 0)
        }
    }
}
