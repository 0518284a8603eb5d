import Foundation
import SpatialCore
import UrbanModel

/// The case loop's tables as `copy` moves them, in an order that keeps their references: the reference tables, the
/// cases with their `pk` (the events point at it), the events and the idempotency keys. Neutral values: times as
/// `CaseColumns.text` (UTC), flags 0/1.
enum CaseCopy {
    struct Table {
        var name: String
        var columns: [(name: String, kind: CaseColumns.Kind)]
        var order: String
    }

    static let tables: [Table] = [
        Table(name: "departments", columns: [("id", .text), ("name", .text)], order: "id"),
        Table(name: "case_routing", columns: [("kind", .text), ("class_code", .text), ("district_code", .text), ("department_id", .text)], order: "pk"),
        Table(name: "case_limits", columns: [("kind", .text), ("class_code", .text), ("urgency", .text), ("limit_value", .real), ("unit", .text)], order: "pk"),
        Table(name: "holiday_days", columns: [("date", .text), ("kind", .text), ("name", .text)], order: "date"),
        Table(name: "cases", columns: [("pk", .integer)] + CaseColumns.cases, order: "pk"),
        Table(name: "case_events", columns: [("case_pk", .integer)] + CaseColumns.events, order: "pk"),
        Table(name: "case_requests", columns: [("key", .text), ("body_hash", .text), ("case_id", .text), ("response", .text), ("created_at", .time)],
              order: "key"),
    ]

    /// Copies every case table; - Throws: `ModelError.database` when a table's count differs after the copy.
    static func copy(from: any CityRows, to: any CityRows) throws -> Int {
        var total = 0
        for table in tables {
            let rows = try from.caseTableRows(table)
            try to.appendCaseTableRows(table, rows)
            let stored = try to.caseTableRows(table).count
            guard stored == rows.count else {
                throw ModelError.database(to.displayName, reason: "\(table.name): \(rows.count) rows in the source, \(stored) stored")
            }
            total += rows.count
        }
        return total
    }
}

extension UrbanDatabase {
    func caseTableRows(_ t: CaseCopy.Table) throws -> [[SQLValue]] {
        try store.query("SELECT \(t.columns.map(\.name).joined(separator: ", ")) FROM \(t.name) ORDER BY \(t.order)").map(\.values)
    }

    func appendCaseTableRows(_ t: CaseCopy.Table, _ rows: [[SQLValue]]) throws {
        let insert = try store.prepare("INSERT INTO \(t.name)(\(t.columns.map(\.name).joined(separator: ", "))) VALUES (\(t.columns.map { _ in "?" }.joined(separator: ", ")))")
        for r in rows { try insert.run(r) }
    }
}

extension PostGISDatabase {
    func caseTableRows(_ t: CaseCopy.Table) throws -> [[SQLValue]] {
        let names = t.columns.map { c in
            switch c.kind {
            case .time: "extract(epoch FROM \(c.name))::float8"
            case .boolean: "\(c.name)::int"
            default: c.name
            }
        }
        return try connection.query("SELECT \(names.joined(separator: ", ")) FROM \(t.name) ORDER BY \(t.order)").map { r in
            zip(r, t.columns).map { v, c in c.kind == .time ? CaseColumns.date(v).map { .text(CaseColumns.text($0)) } ?? .null : v }
        }
    }

    func appendCaseTableRows(_ t: CaseCopy.Table, _ rows: [[SQLValue]]) throws {
        let values = t.columns.enumerated().map { i, c in
            switch c.kind {
            case .time: "$\(i + 1)::timestamptz"
            case .boolean: "($\(i + 1)::bigint <> 0)"
            default: "$\(i + 1)"
            }
        }
        let sql = "INSERT INTO \(t.name)(\(t.columns.map(\.name).joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
        for r in rows { try connection.execute(sql, r) }
        if t.name == "cases" {  // the sequence goes on after the highest pk copied
            try connection.execute("SELECT setval(pg_get_serial_sequence('cases', 'pk'), coalesce(max(pk), 0) + 1, false) FROM cases")
        }
    }
}
