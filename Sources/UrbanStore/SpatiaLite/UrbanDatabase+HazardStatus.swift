public import Foundation
import SpatialCore
public import UrbanModel

/// Hazards' status changes on SpatiaLite: the hazard row and its event in one transaction (`BEGIN IMMEDIATE`: two
/// writers take turns).
extension UrbanDatabase: HazardStatusStore {
    static let hazardHistoryMigration = Migration(version: 5, name: "hazard status history", sql: """
        CREATE TABLE hazard_events(pk INTEGER PRIMARY KEY, hazard_id TEXT NOT NULL, from_status TEXT NOT NULL,
                                   to_status TEXT NOT NULL, at TEXT NOT NULL, note TEXT, by_user TEXT);
        CREATE INDEX hazard_events_hazard ON hazard_events(hazard_id, pk);
        """)

    @discardableResult
    public func setHazardStatus(id: String, to status: String, at: Date, note: String?, by: String?) throws -> HazardStatusEvent {
        let zone = try cityTimeZone
        return try store.transaction {
            guard let row = try store.query("SELECT status, reported_at FROM hazards WHERE id = ?", id).first else {
                throw HazardStatusRules.unknown(id)
            }
            let current = row["status"]?.string ?? ""
            let reported = row["reported_at"]?.string.flatMap { ISOTime.date($0, in: zone) }
            try HazardStatusRules.check(id: id, current: current, to: status, at: at, reportedAt: reported, timeZone: zone)
            let text = ISOTime.string(at, in: zone)
            _ = try store.run("UPDATE hazards SET status = ?, resolved_at = ? WHERE id = ?", status, status == "resolved" ? text : nil, id)
            _ = try store.run("INSERT INTO hazard_events(hazard_id, from_status, to_status, at, note, by_user) VALUES (?, ?, ?, ?, ?, ?)",
                              id, current, status, text, note, by)
            return HazardStatusEvent(hazardID: id, from: current, to: status, at: text, note: note, by: by)
        }
    }

    public func hazardHistory(id: String) throws -> [HazardStatusEvent] {
        guard try store.scalar("SELECT count(*) FROM hazards WHERE id = ?", id).int ?? 0 > 0 else { throw HazardStatusRules.unknown(id) }
        return try store.query("SELECT from_status, to_status, at, note, by_user FROM hazard_events WHERE hazard_id = ? ORDER BY pk", id).map { r in
            HazardStatusEvent(hazardID: id, from: r["from_status"]?.string ?? "", to: r["to_status"]?.string ?? "", at: r["at"]?.string ?? "",
                              note: r["note"]?.string, by: r["by_user"]?.string)
        }
    }

    func hazardEventRows() throws -> [[SQLValue]] {
        try store.query("SELECT hazard_id, from_status, to_status, at, note, by_user FROM hazard_events ORDER BY pk").map(\.values)
    }

    func appendHazardEvents(_ rows: [[SQLValue]]) throws {
        let insert = try store.prepare("INSERT INTO hazard_events(hazard_id, from_status, to_status, at, note, by_user) VALUES (?, ?, ?, ?, ?, ?)")
        for r in rows { try insert.run(r) }
    }
}
