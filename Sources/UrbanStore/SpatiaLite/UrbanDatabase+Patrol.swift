import Foundation
import SpatialCore
public import UrbanModel

/// Matched patrol traversals on SpatiaLite: times as ISO 8601 text in the city's zone (as every other time) plus
/// their instants in seconds for range queries (text with offsets does not sort across a DST change).
extension UrbanDatabase: PatrolStore {
    // Version 7 is the case loop's (another branch): the store applies every version not yet recorded, so the order
    // the two are merged and applied in does not matter.
    static let patrolMigration = Migration(version: 8, name: "patrol traversals", sql: """
        CREATE TABLE patrol_traversals(pk INTEGER PRIMARY KEY, inspector TEXT NOT NULL, segment_id TEXT NOT NULL,
                                       entered_at TEXT NOT NULL, left_at TEXT NOT NULL, entered_s REAL NOT NULL, left_s REAL NOT NULL,
                                       fraction REAL NOT NULL, metres REAL NOT NULL, source TEXT NOT NULL);
        CREATE INDEX patrol_traversals_time ON patrol_traversals(entered_s, left_s);
        CREATE INDEX patrol_traversals_segment ON patrol_traversals(segment_id);
        """)

    public func importTraversals(source: String, _ produce: ((PatrolTraversal) throws -> Void) throws -> Void) throws -> Int {
        let zone = try cityTimeZone
        return try store.transaction {
            let insert = try store.prepare("""
                INSERT INTO patrol_traversals(inspector, segment_id, entered_at, left_at, entered_s, left_s, fraction, metres, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var n = 0
            try produce { t in
                try insert.run([t.inspector, t.segmentID, ISOTime.string(Date(timeIntervalSince1970: t.enteredAt), in: zone),
                                ISOTime.string(Date(timeIntervalSince1970: t.leftAt), in: zone), t.enteredAt, t.leftAt, t.fraction, t.metres, source])
                n += 1
            }
            return n
        }
    }

    public func traversals(from: Double, to: Double) throws -> [PatrolTraversal] {
        try store.query("""
            SELECT inspector, segment_id, entered_s, left_s, fraction, metres FROM patrol_traversals
            WHERE entered_s < ? AND left_s >= ? ORDER BY inspector, entered_s, pk
            """, to, from).map { r in
            PatrolTraversal(inspector: r["inspector"]?.string ?? "", segmentID: r["segment_id"]?.string ?? "", enteredAt: r["entered_s"]?.double ?? 0,
                            leftAt: r["left_s"]?.double ?? 0, fraction: r["fraction"]?.double ?? 0, metres: r["metres"]?.double ?? 0)
        }
    }
}
