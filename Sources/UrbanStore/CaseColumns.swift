import Foundation
import SpatialCore
import UrbanModel

/// The columns of `cases` and `case_events` on both engines, and the one conversion between a `CaseRecord` and a row
/// of neutral values: times go in as UTC text with milliseconds (`2026-12-07T01:30:00.000Z`: SpatiaLite stores it as
/// it is, in an order that compares as time; PostgreSQL casts it to `timestamptz`) and come back as that text or as
/// seconds since 1970 (PostgreSQL's `extract(epoch …)`).
enum CaseColumns {
    enum Kind { case text, real, integer, time, boolean }

    static let cases: [(name: String, kind: Kind)] = [
        ("id", .text), ("external_id", .text), ("source", .text), ("kind", .text), ("class_code", .text), ("urgency", .text),
        ("description", .text), ("lon", .real), ("lat", .real), ("grid_code", .text), ("community_code", .text), ("street_code", .text),
        ("district_code", .text), ("chief", .text), ("segment_id", .text), ("routed_department_id", .text), ("hazard_id", .text),
        // from here on: what a transition may change (`mutableStart`)
        ("department_id", .text), ("status", .text), ("version", .integer),
        ("reported_by", .text), ("reported_at", .time), ("verified_at", .time), ("filed_at", .time), ("dispatched_at", .time),
        ("handled_at", .time), ("closed_at", .time), ("voided_at", .time), ("parked_at", .time), ("limit_seconds", .real),
        ("extension_hours", .real), ("extensions", .integer), ("parked_work_seconds", .real), ("deadline", .time), ("warn_at", .time),
        ("deadline_provisional", .boolean), ("rework_count", .integer),
    ]
    static let mutableStart = 17

    static let events: [(name: String, kind: Kind)] = [
        ("action", .text), ("from_status", .text), ("to_status", .text), ("by_user", .text), ("at", .time), ("note", .text),
        ("department_id", .text), ("work_hours", .real),
    ]

    /// `2026-12-07T01:30:00.123Z`: UTC, always 24 characters, so text order is time order.
    static func text(_ d: Date) -> String {
        let ms = Int64((d.timeIntervalSince1970 * 1000).rounded(.down))
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let inDay = Int(ms - days * 86_400_000)
        let date = LocalDate(daysSince1970: Int(days))
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ n: Int, _ count: Int) {
            var p = 1
            for _ in 1..<count { p *= 10 }
            while p > 0 {
                out.append(UInt8(48 + n / p % 10))
                p /= 10
            }
        }
        digits(date.year, 4); out.append(45); digits(date.month, 2); out.append(45); digits(date.day, 2); out.append(84)
        digits(inDay / 3_600_000, 2); out.append(58); digits(inDay / 60_000 % 60, 2); out.append(58); digits(inDay / 1000 % 60, 2)
        out.append(46); digits(inDay % 1000, 3); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    static func value(_ d: Date?) -> SQLValue { d.map { .text(text($0)) } ?? .null }

    static func date(_ v: SQLValue) -> Date? {
        switch v {
        case .real(let s): Date(timeIntervalSince1970: s)
        case .integer(let s): Date(timeIntervalSince1970: Double(s))
        case .text(let t): ISOTime.instant(t)
        default: nil
        }
    }

    static func row(_ c: CaseRecord) -> [SQLValue] {
        func s(_ v: String?) -> SQLValue { v.map(SQLValue.text) ?? .null }
        let p = c.place
        return [
            .text(c.id), s(c.externalID), .text(c.source.rawValue), .text(c.kind.rawValue), .text(c.classCode), .text(c.urgency.rawValue),
            s(c.description), .real(c.lon), .real(c.lat), s(p.gridCode), s(p.communityCode), s(p.streetCode), s(p.districtCode), s(p.chief),
            s(p.segmentID), s(c.routedDepartmentID), s(c.hazardID),
            s(c.departmentID), .text(c.status.rawValue), .integer(Int64(c.version)), .text(c.reportedBy), value(c.reportedAt),
            value(c.verifiedAt), value(c.filedAt), value(c.dispatchedAt), value(c.handledAt), value(c.closedAt), value(c.voidedAt),
            value(c.parkedAt), c.limitSeconds.map(SQLValue.real) ?? .null, .real(c.extensionHours), .integer(Int64(c.extensions)),
            .real(c.parkedWorkSeconds), value(c.deadline), value(c.warnAt), .integer(c.deadlineProvisional ? 1 : 0),
            .integer(Int64(c.reworkCount)),
        ]
    }

    /// The SELECT expression after the columns of `cases`: the class's Chinese name by (kind, class code).
    static let classNameSQL = UrbanDatabase.classNameSQL("cases")

    /// A case from a row in `cases` order (with the class name after the columns, when the row has it).
    /// - Throws: `ModelError.database` for a value no UrbanGrid wrote.
    static func record(_ row: [SQLValue], database: String) throws -> CaseRecord {
        var r = try storedRecord(row, database: database)
        if row.count > cases.count { r.className = row[cases.count].string }
        return r
    }

    private static func storedRecord(_ row: [SQLValue], database: String) throws -> CaseRecord {
        func bad(_ column: String) -> ModelError { .database(database, reason: "cases.\(column) holds a value UrbanGrid does not write") }
        guard row.count >= cases.count else { throw bad("*") }
        func v(_ name: String) -> SQLValue { row[index[name]!] }
        guard let id = v("id").string,
              let source = v("source").string.flatMap(CaseWorkflow.Source.init(rawValue:)), let kind = v("kind").string.flatMap(CaseWorkflow.Kind.init(rawValue:)),
              let urgency = v("urgency").string.flatMap(CaseWorkflow.Urgency.init(rawValue:)),
              let status = v("status").string.flatMap(CaseWorkflow.Status.init(rawValue:)), let reportedAt = date(v("reported_at")) else {
            throw bad("id, source, kind, urgency, status or reported_at")
        }
        let place = CasePlace(gridCode: v("grid_code").string, communityCode: v("community_code").string, streetCode: v("street_code").string,
                              districtCode: v("district_code").string, chief: v("chief").string, segmentID: v("segment_id").string)
        return CaseRecord(
            id: id, externalID: v("external_id").string, source: source, kind: kind, classCode: v("class_code").string ?? "", urgency: urgency,
            description: v("description").string, lon: v("lon").double ?? .nan, lat: v("lat").double ?? .nan, place: place, hazardID: v("hazard_id").string,
            routedDepartmentID: v("routed_department_id").string, departmentID: v("department_id").string, status: status, version: v("version").int ?? 0,
            reportedBy: v("reported_by").string ?? "", reportedAt: reportedAt, verifiedAt: date(v("verified_at")), filedAt: date(v("filed_at")),
            dispatchedAt: date(v("dispatched_at")), handledAt: date(v("handled_at")), closedAt: date(v("closed_at")), voidedAt: date(v("voided_at")),
            parkedAt: date(v("parked_at")), limitSeconds: v("limit_seconds").double, extensionHours: v("extension_hours").double ?? 0,
            extensions: v("extensions").int ?? 0, parkedWorkSeconds: v("parked_work_seconds").double ?? 0, deadline: date(v("deadline")),
            warnAt: date(v("warn_at")), deadlineProvisional: (v("deadline_provisional").int ?? 0) != 0, reworkCount: v("rework_count").int ?? 0)
    }

    /// The position of each column of `cases` in a row.
    static let index: [String: Int] = Dictionary(uniqueKeysWithValues: cases.enumerated().map { ($0.element.name, $0.offset) })

    static func eventRow(_ e: CaseEvent) -> [SQLValue] {
        [.text(e.action), e.from.map { .text($0.rawValue) } ?? .null, .text(e.to.rawValue), .text(e.by), value(e.at),
         e.note.map(SQLValue.text) ?? .null, e.departmentID.map(SQLValue.text) ?? .null, e.workHours.map(SQLValue.real) ?? .null]
    }

    static func event(_ r: [SQLValue], database: String) throws -> CaseEvent {
        guard let action = r[0].string, let to = r[2].string.flatMap(CaseWorkflow.Status.init(rawValue:)), let at = date(r[4]) else {
            throw ModelError.database(database, reason: "case_events holds a row UrbanGrid does not write")
        }
        return CaseEvent(action: action, from: r[1].string.flatMap(CaseWorkflow.Status.init(rawValue:)), to: to, by: r[3].string ?? "", at: at,
                         note: r[5].string, departmentID: r[6].string, workHours: r[7].double)
    }

    /// The column that groups an assessment.
    static func groupColumn(_ g: AssessmentGrouping) -> String {
        switch g {
        case .grid: "grid_code"
        case .street: "street_code"
        case .district: "district_code"
        case .department: "department_id"
        case .supervisor: "reported_by"
        }
    }

    static func assessmentRow(_ r: [SQLValue]) -> AssessmentRow {
        var a = AssessmentRow(key: r[0].string)
        let n = (1...9).map { r[$0].int ?? 0 }
        (a.reported, a.filed, a.dispatched, a.due, a.closed, a.closedOnTime, a.handledOnTime, a.rework, a.extended) =
            (n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8])
        return a
    }

    /// Rows in key order, the cases without a key last (both engines sort the same way).
    static func sorted(_ rows: [AssessmentRow]) -> [AssessmentRow] {
        rows.sorted { a, b in
            switch (a.key, b.key) {
            case let (x?, y?): Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
            case (_?, nil): true
            default: false
            }
        }
    }
}
