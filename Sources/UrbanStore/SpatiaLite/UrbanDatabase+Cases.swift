public import Foundation
import SpatialCore
public import UrbanModel

/// The case loop on SpatiaLite: every write in `BEGIN IMMEDIATE` (writers take turns; a refused write rolls back).
/// Times are UTC text with milliseconds (`CaseColumns`), so comparisons in SQL are comparisons of time.
extension UrbanDatabase: CaseStore {
    static let casesMigration = Migration(version: 7, name: "cases", sql: """
        CREATE TABLE departments(id TEXT PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE case_routing(pk INTEGER PRIMARY KEY, kind TEXT NOT NULL, class_code TEXT NOT NULL, district_code TEXT NOT NULL,
                                  department_id TEXT NOT NULL);
        CREATE TABLE case_limits(pk INTEGER PRIMARY KEY, kind TEXT NOT NULL, class_code TEXT NOT NULL, urgency TEXT NOT NULL,
                                 limit_value REAL NOT NULL, unit TEXT NOT NULL);
        CREATE TABLE holiday_days(date TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT);
        CREATE TABLE cases(pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, external_id TEXT UNIQUE, source TEXT NOT NULL, kind TEXT NOT NULL,
                           class_code TEXT NOT NULL, urgency TEXT NOT NULL, description TEXT, lon REAL NOT NULL, lat REAL NOT NULL,
                           grid_code TEXT, community_code TEXT, street_code TEXT, district_code TEXT, chief TEXT, segment_id TEXT,
                           routed_department_id TEXT, hazard_id TEXT, department_id TEXT, status TEXT NOT NULL, version INTEGER NOT NULL,
                           reported_by TEXT NOT NULL, reported_at TEXT NOT NULL, verified_at TEXT, filed_at TEXT, dispatched_at TEXT,
                           handled_at TEXT, closed_at TEXT, voided_at TEXT, parked_at TEXT, limit_seconds REAL, extension_hours REAL NOT NULL,
                           extensions INTEGER NOT NULL, parked_work_seconds REAL NOT NULL, deadline TEXT, warn_at TEXT,
                           deadline_provisional INTEGER NOT NULL, rework_count INTEGER NOT NULL);
        CREATE INDEX cases_reported ON cases(reported_at);
        CREATE INDEX cases_status ON cases(status, reported_at);
        CREATE INDEX cases_deadline ON cases(deadline);
        CREATE INDEX cases_district ON cases(district_code);
        CREATE TABLE case_events(pk INTEGER PRIMARY KEY, case_pk INTEGER NOT NULL REFERENCES cases(pk), action TEXT NOT NULL,
                                 from_status TEXT, to_status TEXT NOT NULL, by_user TEXT NOT NULL, at TEXT NOT NULL, note TEXT,
                                 department_id TEXT, work_hours REAL);
        CREATE INDEX case_events_case ON case_events(case_pk, pk);
        CREATE TABLE case_requests(key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, case_id TEXT NOT NULL, response TEXT NOT NULL,
                                   created_at TEXT NOT NULL);
        """)

    private func rows(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
        let st = try store.prepare(sql)
        try st.bind(parameters)
        return try st.rows()
    }

    private static let caseSelect = "SELECT pk, " + CaseColumns.cases.map(\.name).joined(separator: ", ") + ", " + CaseColumns.classNameSQL + " FROM cases"
    private static let eventSelect = "SELECT " + CaseColumns.events.map(\.name).joined(separator: ", ") + " FROM case_events"
    private static let caseInsert = "INSERT INTO cases(pk, " + CaseColumns.cases.map(\.name).joined(separator: ", ") + ") VALUES (?"
        + String(repeating: ", ?", count: CaseColumns.cases.count) + ")"
    private static let eventInsert = "INSERT INTO case_events(case_pk, " + CaseColumns.events.map(\.name).joined(separator: ", ") + ") VALUES (?"
        + String(repeating: ", ?", count: CaseColumns.events.count) + ")"
    private static let caseUpdate = "UPDATE cases SET "
        + CaseColumns.cases[CaseColumns.mutableStart...].map { "\($0.name) = ?" }.joined(separator: ", ") + " WHERE pk = ?"

    public func caseTables() throws -> CaseTables {
        let departments = try store.query("SELECT id, name FROM departments ORDER BY id").map { ($0[0].string ?? "", $0[1].string ?? "") }
        let routing = try store.query("SELECT kind, class_code, district_code, department_id FROM case_routing ORDER BY pk").compactMap { r -> RoutingTable.Row? in
            guard let kind = r[0].string.flatMap(CaseWorkflow.Kind.init(rawValue:)) else { return nil }
            return .init(kind: kind, classCode: r[1].string ?? "", districtCode: r[2].string ?? "", departmentID: r[3].string ?? "")
        }
        let limits = try store.query("SELECT kind, class_code, urgency, limit_value, unit FROM case_limits ORDER BY pk").compactMap(Self.limitRow)
        let days = try store.query("SELECT date, kind, name FROM holiday_days ORDER BY date").map { [$0[0], $0[1], $0[2]] }
        return CaseTables(departments: departments, routing: RoutingTable(routing), limits: LimitTable(limits), holidays: Self.calendar(days))
    }

    static func limitRow(_ r: SQLRow) -> LimitTable.Row? {
        guard let kind = r[0].string.flatMap(CaseWorkflow.Kind.init(rawValue:)), let urgency = r[2].string.flatMap(CaseWorkflow.Urgency.init(rawValue:)),
              let n = r[3].double else { return nil }
        return .init(kind: kind, classCode: r[1].string ?? "", urgency: urgency, limit: r[4].string == "work_days" ? .workDays(n) : .workHours(n))
    }

    /// The stored holiday rows (`date, kind, name`) as a calendar.
    static func calendar(_ rows: [[SQLValue]]) -> HolidayCalendar {
        var holidays: [LocalDate: String] = [:], working: [LocalDate: String] = [:]
        for r in rows {
            guard let d = r[0].string.flatMap({ LocalDate($0) }) else { continue }
            if r[1].string == "makeup_workday" { working[d] = r[2].string ?? "" } else { holidays[d] = r[2].string ?? "" }
        }
        return HolidayCalendar(holidays: holidays, workingDays: working)
    }

    public func replaceCaseTable(_ table: CaseTableFile, schedule: WorkSchedule) throws -> (rows: Int, recomputed: Int) {
        let zone = try cityTimeZone
        return try store.transaction {
            var recomputed = 0
            switch table {
            case .departments(let rows):
                try store.execute("DELETE FROM departments")
                let insert = try store.prepare("INSERT INTO departments(id, name) VALUES (?, ?)")
                for r in rows { try insert.run([r.id, r.name]) }
            case .routing(let rows):
                let known = Set(try store.query("SELECT id FROM departments").compactMap { $0[0].string })
                try CaseTableChecks.routing(rows, departments: known)
                try store.execute("DELETE FROM case_routing")
                let insert = try store.prepare("INSERT INTO case_routing(kind, class_code, district_code, department_id) VALUES (?, ?, ?, ?)")
                for r in rows { try insert.run([r.kind.rawValue, r.classCode, r.districtCode, r.departmentID]) }
            case .limits(let rows):
                try store.execute("DELETE FROM case_limits")
                let insert = try store.prepare("INSERT INTO case_limits(kind, class_code, urgency, limit_value, unit) VALUES (?, ?, ?, ?, ?)")
                for r in rows { try insert.run(CaseTableChecks.limitValues(r)) }
            case .holidays(let calendar):
                let insert = try store.prepare("INSERT INTO holiday_days(date, kind, name) VALUES (?, ?, ?) ON CONFLICT(date) DO UPDATE SET kind = excluded.kind, name = excluded.name")
                for r in CaseTableChecks.holidayRows(calendar) { try insert.run(r) }
                let clock = WorkClock(schedule: schedule, calendar: try caseTables().calendar, timeZone: zone)
                for r in try rows(Self.caseSelect + " WHERE deadline_provisional = 1", []) {
                    var c = try CaseColumns.record(Array(r.values.dropFirst()), database: displayName)
                    c.events = try events(casePK: r[0].int ?? 0)
                    try update(pk: r[0].int ?? 0, CaseRules.recomputed(c, clock: clock))
                    recomputed += 1
                }
            }
            return (table.count, recomputed)
        }
    }

    private func events(casePK: Int) throws -> [CaseEvent] {
        try rows(Self.eventSelect + " WHERE case_pk = ? ORDER BY pk", [.integer(Int64(casePK))]).map { try CaseColumns.event($0.values, database: displayName) }
    }

    private func update(pk: Int, _ c: CaseRecord) throws {
        let st = try store.prepare(Self.caseUpdate)
        try st.run(Array(CaseColumns.row(c)[CaseColumns.mutableStart...]) + [SQLValue.integer(Int64(pk))])
    }

    private func insert(_ draft: CaseDraft, zone: TimeZone) throws -> CaseRecord {
        if let external = draft.externalID,
           try store.scalar("SELECT count(*) FROM cases WHERE external_id = ?", external).int ?? 0 > 0 {
            throw CaseError.invalid(field: "id", reason: "work order '\(external)' is stored already")
        }
        let pk = Int64(try store.scalar("SELECT coalesce(max(pk), 0) + 1 FROM cases").int ?? 1)
        let record = draft.record(id: draft.caseID(sequence: pk, timeZone: zone))
        try store.prepare(Self.caseInsert).run([SQLValue.integer(pk)] + CaseColumns.row(record))
        let insertEvent = try store.prepare(Self.eventInsert)
        for e in record.events { try insertEvent.run([SQLValue.integer(pk)] + CaseColumns.eventRow(e)) }
        return record
    }

    public func reportCase(_ draft: CaseDraft, claim: IdempotencyClaim?, render: (CaseRecord) -> String) throws -> ReportOutcome {
        let zone = try cityTimeZone
        return try store.transaction {
            if let claim, let row = try rows("SELECT body_hash, response, created_at FROM case_requests WHERE key = ?", [.text(claim.key)]).first {
                let created = CaseColumns.date(row[2]) ?? .distantPast
                if Date().timeIntervalSince(created) < IdempotencyClaim.lifetime {
                    guard row[0].string == claim.bodyHash else { throw CaseError.idempotencyMismatch(claim.clientKey) }
                    return .replayed(response: row[1].string ?? "")
                }
                _ = try store.run("DELETE FROM case_requests WHERE key = ?", claim.key)
            }
            let record = try insert(draft, zone: zone)
            let response = render(record)
            if let claim {
                _ = try store.run("INSERT INTO case_requests(key, body_hash, case_id, response, created_at) VALUES (?, ?, ?, ?, ?)",
                                  claim.key, claim.bodyHash, record.id, response, CaseColumns.text(Date()))
            }
            return .created(record, response: response)
        }
    }

    public func reportCases(_ drafts: [CaseDraft]) throws -> [CaseRecord] {
        let zone = try cityTimeZone
        return try store.transaction { try drafts.map { try insert($0, zone: zone) } }
    }

    public func transitionCase(id: String, _ t: CaseTransition, context: CaseContext) throws -> CaseRecord {
        try store.transaction {
            guard let r = try rows(Self.caseSelect + " WHERE id = ?", [.text(id)]).first else { throw CaseError.notFound(id) }
            let pk = r[0].int ?? 0
            var c = try CaseColumns.record(Array(r.values.dropFirst()), database: displayName)
            c.events = try events(casePK: pk)
            let (next, event) = try CaseRules.apply(t, to: c, context: context)
            try update(pk: pk, next)
            try store.prepare(Self.eventInsert).run([SQLValue.integer(Int64(pk))] + CaseColumns.eventRow(event))
            // closing a case reported for a hazard resolves the hazard (with its history event), in the same transaction;
            // a hazard resolved already, or gone, is left as it is (the checks come before any write)
            if next.status == .closed, let hazard = next.hazardID {
                _ = try? setHazardStatus(id: hazard, to: "resolved", at: t.at, note: "case \(id) closed", by: t.actor.name)
            }
            return next
        }
    }

    public func caseRecord(id: String) throws -> CaseRecord? {
        guard let r = try rows(Self.caseSelect + " WHERE id = ?", [.text(id)]).first else { return nil }
        var c = try CaseColumns.record(Array(r.values.dropFirst()), database: displayName)
        c.events = try events(casePK: r[0].int ?? 0)
        return c
    }

    public func cases(_ filter: CaseFilter, now: Date) throws -> [CaseRecord] {
        let (conditions, parameters) = CaseSQL.conditions(filter, now: now, placeholder: { n, _ in "?\(n)" }, time: { .text(CaseColumns.text($0)) })
        let sql = Self.caseSelect + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY reported_at DESC, pk DESC LIMIT ? OFFSET ?"
        return try rows(sql, parameters + [.integer(Int64(filter.limit)), .integer(Int64(filter.offset))]).map {
            try CaseColumns.record(Array($0.values.dropFirst()), database: displayName)
        }
    }

    /// SQLite groups by sorting every row (a temporary B-tree of 1M rows took most of an assessment's time), so the
    /// counts are made here: the cases of the period stream by as `(key, flags)` (one bit per count,
    /// `CaseSQL.assessmentFlags`) and are tallied per key. A big table is read in two halves of its case numbers at
    /// once, the second on a connection of its own (one core reads each half; SQLite has no parallel scan). While
    /// the service writes, the two halves are read at instants a few milliseconds apart: each case is counted once,
    /// as it was at one of them.
    public func assessment(_ request: AssessmentRequest) throws -> [AssessmentRow] {
        let (sql, parameters) = CaseSQL.assessmentFlags(request, placeholder: { "?\($0)" }, time: { .text(CaseColumns.text($0)) })
        let bounds = try store.query("SELECT min(pk), max(pk) FROM cases")[0].values
        var parts = [Tally()]
        if case .integer(let low) = bounds[0], case .integer(let high) = bounds[1], high - low >= 200_000, path != ":memory:",
           ProcessInfo.processInfo.activeProcessorCount > 1, let second = try? SpatiaLiteStore(path: path, mode: .readOnly) {
            let middle = low + (high - low) / 2
            let ranged = sql + " AND pk BETWEEN ?\(parameters.count + 1) AND ?\(parameters.count + 2)"
            nonisolated(unsafe) let halves = [(store, low, middle), (second, middle + 1, high)]  // each connection used by one thread
            nonisolated(unsafe) var tallies = [Tally(), Tally()]
            nonisolated(unsafe) var failures: [(any Error)?] = [nil, nil]
            DispatchQueue.concurrentPerform(iterations: 2) { h in  // each half on its own connection, written to its own slot
                do {
                    let (connection, from, to) = halves[h]
                    tallies[h] = try Tally(connection, ranged, parameters + [.integer(from), .integer(to)])
                } catch {
                    failures[h] = error
                }
            }
            try? second.close()
            if let failure = failures.compactMap({ $0 }).first { throw failure }
            parts = tallies
        } else {
            parts = [try Tally(store, sql, parameters)]
        }
        var merged: [String?: [Int]] = [:]
        for part in parts {
            for (key, i) in part.index { merged[key, default: Array(repeating: 0, count: CaseSQL.flagCount)].addEach(part.counts[i]) }
        }
        return CaseColumns.sorted(merged.map { key, counts in CaseColumns.assessmentRow([key.map(SQLValue.text) ?? .null] + counts.map { .integer(Int64($0)) }) })
    }

    /// The counts per key of the `(key, flags)` rows of one statement.
    private struct Tally {
        var index: [String?: Int] = [:]
        var counts: [[Int]] = []

        init() {}

        init(_ store: SpatiaLiteStore, _ sql: String, _ parameters: [SQLValue]) throws {
            let st = try store.prepare(sql)
            try st.bind(parameters)
            try st.forEach { row in
                let key = try row.string(0), flags = try row.int(1) ?? 0
                let i: Int
                if let known = index[key] { i = known } else { i = counts.count; index[key] = i; counts.append(Array(repeating: 0, count: CaseSQL.flagCount)) }
                for bit in 0..<CaseSQL.flagCount where flags & (1 << bit) != 0 { counts[i][bit] += 1 }
            }
        }
    }

    func caseRows(_ table: String) throws -> [[SQLValue]] {
        try store.query("SELECT * FROM \(table) ORDER BY 1").map(\.values)
    }
}

/// Checks of reference rows against what is stored, the same on both engines.
enum CaseTableChecks {
    static func routing(_ rows: [RoutingTable.Row], departments: Set<String>) throws {
        guard !departments.isEmpty else { return }
        for (i, r) in rows.enumerated() where !departments.contains(r.departmentID) {
            throw ModelError.invalidArgument(name: "department_id", reason: "routing row \(i + 1) names department '\(r.departmentID)', which the departments table does not list (load departments first)")
        }
    }

    static func limitValues(_ r: LimitTable.Row) -> [SQLValue] {
        let (value, unit): (Double, String) = switch r.limit {
        case .workHours(let h): (h, "work_hours")
        case .workDays(let d): (d, "work_days")
        }
        return [.text(r.kind.rawValue), .text(r.classCode), .text(r.urgency.rawValue), .real(value), .text(unit)]
    }

    static func holidayRows(_ c: HolidayCalendar) -> [[SQLValue]] {
        (c.holidays.map { [SQLValue.text($0.key.description), .text("holiday"), .text($0.value)] }
            + c.workingDays.map { [SQLValue.text($0.key.description), .text("makeup_workday"), .text($0.value)] })
            .sorted { ($0[0].string ?? "") < ($1[0].string ?? "") }
    }
}

/// The SQL of case lists and assessments, written once for both engines: `placeholder(n, isTime)` is `?n`, or `$n`
/// (for a time on PostgreSQL `to_timestamp($n::float8)`, immutable, so computed once, not per row as a cast from text
/// would be); `time` binds an instant as the engine compares it.
enum CaseSQL {
    static func conditions(_ f: CaseFilter, now: Date, placeholder: (Int, Bool) -> String, time: (Date) -> SQLValue) -> ([String], [SQLValue]) {
        var c: [String] = [], p: [SQLValue] = []
        func bind(_ v: SQLValue) -> String {
            p.append(v)
            return placeholder(p.count, false)
        }
        func bind(_ d: Date) -> String {
            p.append(time(d))
            return placeholder(p.count, true)
        }
        if let s = f.status { c.append("status = \(bind(.text(s.rawValue)))") }
        if f.openOnly { c.append("status NOT IN ('closed', 'voided')") }
        if let d = f.district { c.append("substr(coalesce(community_code, street_code, district_code), 1, \(d.utf8.count)) = \(bind(.text(d)))") }
        if let g = f.grid { c.append("grid_code = \(bind(.text(g)))") }
        if let d = f.department { c.append("department_id = \(bind(.text(d)))") }
        if let from = f.from { c.append("reported_at >= \(bind(from))") }
        if let to = f.to { c.append("reported_at < \(bind(to))") }
        if let actor = f.scope {
            if let d = actor.district { c.append("substr(coalesce(community_code, street_code, district_code), 1, \(d.utf8.count)) = \(bind(.text(d)))") }
            if actor.role == .department { c.append("department_id = \(bind(.text(actor.departmentID ?? "")))") }
        }
        if let state = f.timeState {
            let at = "(CASE status WHEN 'closed' THEN closed_at WHEN 'parked' THEN parked_at WHEN 'voided' THEN voided_at ELSE \(bind(now)) END)"
            switch state {
            case .red: c.append("dispatched_at IS NOT NULL AND deadline IS NOT NULL AND \(at) > deadline")
            case .yellow: c.append("dispatched_at IS NOT NULL AND warn_at IS NOT NULL AND \(at) >= warn_at AND \(at) <= deadline")
            case .green: c.append("dispatched_at IS NOT NULL AND warn_at IS NOT NULL AND \(at) < warn_at")
            }
        }
        return (c, p)
    }

    /// The parts of an assessment both forms share: the period's bounds as placeholders 1 and 2, the counts' conditions
    /// in `AssessmentRow` order (`reported, filed, dispatched, due, closed, closed_on_time, handled_on_time, rework,
    /// extended`; the last five only for due cases, `due` is the fourth), and the WHERE clause with its parameters.
    private static func assessmentParts(_ r: AssessmentRequest, placeholder: (Int, Bool) -> String, time: (Date) -> SQLValue)
        -> (counts: [String], due: String, where: String, parameters: [SQLValue]) {
        let from = placeholder(1, true), to = placeholder(2, true)
        var p: [SQLValue] = [time(r.from), time(r.to)]
        var conditions: [String] = []
        if r.grouping == .supervisor { conditions.append("source = 'supervisor'") }
        if let actor = r.scope {
            if let d = actor.district {
                p.append(.text(d))
                conditions.append("substr(coalesce(community_code, street_code, district_code), 1, \(d.utf8.count)) = \(placeholder(p.count, false))")
            }
            if actor.role == .department {
                p.append(.text(actor.departmentID ?? ""))
                conditions.append("department_id = \(placeholder(p.count, false))")
            }
        }
        let due = "(deadline >= \(from) AND deadline < \(to) AND status <> 'parked')"
        conditions.append("""
            (reported_at >= \(from) AND reported_at < \(to) OR filed_at >= \(from) AND filed_at < \(to)
             OR dispatched_at >= \(from) AND dispatched_at < \(to) OR deadline >= \(from) AND deadline < \(to))
            """)
        let counts = ["reported_at >= \(from) AND reported_at < \(to)", "filed_at >= \(from) AND filed_at < \(to)",
                      "dispatched_at >= \(from) AND dispatched_at < \(to)", due, "closed_at < \(to)", "closed_at <= deadline",
                      "handled_at <= deadline", "rework_count > 0", "extensions > 0"]
        return (counts, due, conditions.joined(separator: " AND "), p)
    }

    /// The number of counts an assessment row has (`flags` has one bit for each).
    static let flagCount = 9

    /// One row per key: `key, reported, filed, dispatched, due, closed, closed_on_time, handled_on_time, rework, extended`.
    /// `count(condition)` is the engine's conditional count.
    static func assessment(_ r: AssessmentRequest, placeholder: (Int, Bool) -> String, time: (Date) -> SQLValue,
                           count: (String) -> String) -> (String, [SQLValue]) {
        let parts = assessmentParts(r, placeholder: placeholder, time: time)
        let counts = parts.counts.enumerated().map { i, c in count(i <= 3 ? c : "\(parts.due) AND \(c)") }
        let sql = """
            SELECT \(CaseColumns.groupColumn(r.grouping)) AS key, \(counts.joined(separator: ", "))
            FROM cases WHERE \(parts.where)
            GROUP BY 1
            """
        return (sql, parts.parameters)
    }

    /// One row per case of the period: `key, flags`, bit i of `flags` set when the case counts for the i-th count of
    /// `assessment` (the due-only bits only when it is due). A condition on NULL counts as not met (`IS 1`), as
    /// `sum`/`count(*) FILTER` leave NULL out.
    static func assessmentFlags(_ r: AssessmentRequest, placeholder: (Int) -> String, time: (Date) -> SQLValue) -> (String, [SQLValue]) {
        let parts = assessmentParts(r, placeholder: { n, _ in placeholder(n) }, time: time)
        func bit(_ i: Int) -> String { "(((\(parts.counts[i])) IS 1) << \(i))" }  // | and << bind alike in SQLite: every term in parentheses
        let flags = "(\((0...2).map(bit).joined(separator: " | ")) | CASE WHEN \(parts.due) THEN 8 | \((4..<flagCount).map(bit).joined(separator: " | ")) ELSE 0 END)"
        return ("SELECT \(CaseColumns.groupColumn(r.grouping)), \(flags) FROM cases WHERE \(parts.where)", parts.parameters)
    }
}

extension Array where Element == Int {
    /// Adds `other` element by element (the same length).
    mutating func addEach(_ other: [Int]) {
        for i in indices { self[i] += other[i] }
    }
}
