public import Foundation
import SpatialCore
public import UrbanModel

/// Hazards' status changes on PostgreSQL: the hazard row locked (`FOR UPDATE`: concurrent changes of one hazard
/// take turns), updated and its event appended in one transaction.
extension PostGISDatabase: HazardStatusStore {
    static let hazardHistoryStatements = [
        """
        CREATE TABLE hazard_events(pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, hazard_id text COLLATE "C" NOT NULL,
                                   from_status text NOT NULL, to_status text NOT NULL, at timestamptz NOT NULL, note text, by_user text)
        """,
        "CREATE INDEX hazard_events_hazard ON hazard_events(hazard_id, pk)",
    ]

    @discardableResult
    public func setHazardStatus(id: String, to status: String, at: Date, note: String?, by: String?) throws -> HazardStatusEvent {
        let zone = try cityTimeZone
        return try connection.transaction {
            guard let row = try connection.query("SELECT status, extract(epoch FROM reported_at)::float8 FROM hazards WHERE id = $1 FOR UPDATE",
                                                 [.text(id)]).first else {
                throw HazardStatusRules.unknown(id)
            }
            let current = row[0].string ?? ""
            let reported = row[1].double.map { Date(timeIntervalSince1970: $0) }
            try HazardStatusRules.check(id: id, current: current, to: status, at: at, reportedAt: reported, timeZone: zone)
            let text = ISOTime.string(at, in: zone)
            try connection.execute("UPDATE hazards SET status = $1, resolved_at = $2::timestamptz WHERE id = $3",
                                   [.text(status), status == "resolved" ? .text(text) : .null, .text(id)])
            try connection.execute("""
                INSERT INTO hazard_events(hazard_id, from_status, to_status, at, note, by_user) VALUES ($1, $2, $3, $4::timestamptz, $5, $6)
                """, [.text(id), .text(current), .text(status), .text(text), note.map(SQLValue.text) ?? .null, by.map(SQLValue.text) ?? .null])
            return HazardStatusEvent(hazardID: id, from: current, to: status, at: text, note: note, by: by)
        }
    }

    public func hazardHistory(id: String) throws -> [HazardStatusEvent] {
        let zone = try cityTimeZone
        guard try connection.scalar("SELECT count(*) FROM hazards WHERE id = $1", [.text(id)]).int ?? 0 > 0 else { throw HazardStatusRules.unknown(id) }
        return try connection.query("""
            SELECT from_status, to_status, extract(epoch FROM at)::float8, note, by_user FROM hazard_events WHERE hazard_id = $1 ORDER BY pk
            """, [.text(id)]).map { r in
            HazardStatusEvent(hazardID: id, from: r[0].string ?? "", to: r[1].string ?? "",
                              at: Self.isoTime(r[2], in: zone) ?? "", note: r[3].string, by: r[4].string)
        }
    }

    func hazardEventRows() throws -> [[SQLValue]] {
        let zone = try cityTimeZone
        return try connection.query("""
            SELECT hazard_id, from_status, to_status, extract(epoch FROM at)::float8, note, by_user FROM hazard_events ORDER BY pk
            """).map { r in
            [r[0], r[1], r[2], Self.isoTime(r[3], in: zone).map(SQLValue.text) ?? .null, r[4], r[5]]
        }
    }

    func appendHazardEvents(_ rows: [[SQLValue]]) throws {
        for r in rows {
            try connection.execute("""
                INSERT INTO hazard_events(hazard_id, from_status, to_status, at, note, by_user) VALUES ($1, $2, $3, $4::timestamptz, $5, $6)
                """, r)
        }
    }
}
