public import Foundation
public import SpatialCore
internal import Crypto

/// A new case as it is stored: what was reported, where (WGS84 and the lookup's place), the routed department, who
/// reported it and when, and its first status (`CaseWorkflow.report`).
public struct CaseDraft: Sendable, Hashable {
    public var externalID: String?
    public var source: CaseWorkflow.Source
    public var kind: CaseWorkflow.Kind
    public var classCode: String
    public var urgency: CaseWorkflow.Urgency
    public var description: String?
    public var lon: Double, lat: Double
    public var place: CasePlace
    public var hazardID: String?
    public var routedDepartmentID: String?
    public var reportedBy: String
    public var reportedAt: Date
    public var status: CaseWorkflow.Status
    /// The class's Chinese name from the city's code tables, by (kind, code): shown, not stored (read back by lookup).
    public var className: String?

    public init(externalID: String? = nil, source: CaseWorkflow.Source, kind: CaseWorkflow.Kind, classCode: String, urgency: CaseWorkflow.Urgency,
                description: String?, lon: Double, lat: Double, place: CasePlace, hazardID: String? = nil, routedDepartmentID: String?, reportedBy: String,
                reportedAt: Date, status: CaseWorkflow.Status) {
        self.hazardID = hazardID
        self.externalID = externalID
        self.source = source
        self.kind = kind
        self.classCode = classCode
        self.urgency = urgency
        self.description = description
        self.lon = lon
        self.lat = lat
        self.place = place
        self.routedDepartmentID = routedDepartmentID
        self.reportedBy = reportedBy
        self.reportedAt = reportedAt
        self.status = status
    }

    /// The stored case before it has an id, version 1 with its `report` event.
    public func record(id: String) -> CaseRecord {
        var r = CaseRecord(id: id, externalID: externalID, source: source, kind: kind, classCode: classCode, urgency: urgency, description: description,
                   lon: lon, lat: lat, place: place, hazardID: hazardID, routedDepartmentID: routedDepartmentID, departmentID: routedDepartmentID, status: status,
                   version: 1, reportedBy: reportedBy, reportedAt: reportedAt,
                   events: [CaseEvent(action: "report", from: nil, to: status, by: reportedBy, at: reportedAt)])
        r.className = className
        return r
    }

    /// The case number: `C` (component) or `E` (event), the local date of the report (`yyyyMMdd`) and the store's
    /// sequence number, at least 6 digits: `E20261207000042`.
    public func caseID(sequence: Int64, timeZone: TimeZone) -> String {
        let d = LocalDate(reportedAt, timeZone: timeZone)
        func padded(_ v: Int, _ width: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, width - t.count)) + t
        }
        return (kind == .component ? "C" : "E") + padded(d.year, 4) + padded(d.month, 2) + padded(d.day, 2) + padded(Int(sequence), 6)
    }
}

/// An `Idempotency-Key` and the hash of the request it came with: the same key and body within 24 h return the first
/// answer and create nothing.
public struct IdempotencyClaim: Sendable, Hashable {
    public var key: String
    public var bodyHash: String
    public init(key: String, bodyHash: String) {
        self.key = key
        self.bodyHash = bodyHash
    }

    /// The key as the client sent it (a stored key is the user's name, U+001F, and the client's key: two users' keys
    /// never collide).
    public var clientKey: String { key.split(separator: "\u{1F}", maxSplits: 1).last.map(String.init) ?? key }

    /// The SHA-256 (hex) of the request's canonical parts, so that the same report sent twice hashes alike.
    public static func hash(_ parts: [String]) -> String {
        lowercaseHex(SHA256.hash(data: Data(parts.joined(separator: "\u{1F}").utf8)))
    }

    /// How long a key is remembered.
    public static let lifetime: TimeInterval = 24 * 3600
}

/// What `reportCase` did: created the case (its answer is stored with the key), or found the key's first answer.
public enum ReportOutcome: Sendable, Hashable {
    case created(CaseRecord, response: String)
    case replayed(response: String)
}

/// Which cases a list shows (`GET /cases`, `case list`): each condition given must hold. `district` is a code prefix;
/// `from`/`to` bound the report time, [from, to). The actor's scope narrows the list: a district-limited user sees the
/// cases under its code, a department user those with its department.
public struct CaseFilter: Sendable, Hashable {
    public var status: CaseWorkflow.Status?
    /// Only cases still open (neither closed nor voided).
    public var openOnly = false
    public var district: String?
    public var grid: String?
    public var department: String?
    public var timeState: TimeState?
    public var from: Date?
    public var to: Date?
    public var limit: Int
    public var offset: Int
    public var scope: CaseWorkflow.Actor?

    public init(status: CaseWorkflow.Status? = nil, district: String? = nil, grid: String? = nil, department: String? = nil,
                timeState: TimeState? = nil, from: Date? = nil, to: Date? = nil, limit: Int = 100, offset: Int = 0,
                scope: CaseWorkflow.Actor? = nil) {
        self.status = status
        self.district = district
        self.grid = grid
        self.department = department
        self.timeState = timeState
        self.from = from
        self.to = to
        self.limit = limit
        self.offset = offset
        self.scope = scope
    }
}

/// The groupings of an assessment (考核).
public enum AssessmentGrouping: String, Sendable, CaseIterable {
    case grid, street, district, department, supervisor
}

/// One row of an assessment: counts over a period [from, to) and the rates, whose denominator is `due` (dispatched
/// cases whose deadline lies in the period), never the cases created. A rate is nil when nothing was due.
public struct AssessmentRow: Sendable, Hashable {
    /// The grid, street or district code, the department id or the supervisor's name; nil for cases without one.
    public var key: String?
    /// Reported, filed, dispatched in the period.
    public var reported = 0, filed = 0, dispatched = 0
    /// Due in the period, and of those: closed by its end, closed at or before the deadline, last handled at or before
    /// the deadline, reworked at least once, extended at least once.
    public var due = 0, closed = 0, closedOnTime = 0, handledOnTime = 0, rework = 0, extended = 0

    public init(key: String?) { self.key = key }

    public var closureRate: Double? { rate(closed) }
    public var onTimeClosureRate: Double? { rate(closedOnTime) }
    public var onTimeHandlingRate: Double? { rate(handledOnTime) }
    public var reworkRate: Double? { rate(rework) }

    func rate(_ n: Int) -> Double? { due == 0 ? nil : Double(n) / Double(due) }

    public static let columns = ["key", "reported", "filed", "dispatched", "due", "closed", "closed_on_time", "handled_on_time", "rework",
                                 "extended", "closure_rate", "on_time_closure_rate", "on_time_handling_rate", "rework_rate"]

    public var counts: [Int] { [reported, filed, dispatched, due, closed, closedOnTime, handledOnTime, rework, extended] }
    public var rates: [Double?] { [closureRate, onTimeClosureRate, onTimeHandlingRate, reworkRate] }

    public var json: JSONValue {
        var o: JSONObject = ["key": key.map(JSONValue.string) ?? .null]
        for (name, n) in zip(Self.columns.dropFirst(), counts) { o[name] = .int(Int64(n)) }
        for (name, r) in zip(Self.columns.suffix(4), rates) { o[name] = r.map { .number(($0 * 10_000).rounded() / 10_000) } ?? .null }
        return .object(o)
    }
}

/// The period and grouping of an assessment; `from`/`to` are the local midnights of the dates asked.
public struct AssessmentRequest: Sendable, Hashable {
    public var grouping: AssessmentGrouping
    public var from: Date
    public var to: Date
    public var scope: CaseWorkflow.Actor?
    public init(grouping: AssessmentGrouping, from: Date, to: Date, scope: CaseWorkflow.Actor? = nil) {
        self.grouping = grouping
        self.from = from
        self.to = to
        self.scope = scope
    }
}

/// The case loop's reference tables as stored: departments, routing and limits (`import --layer departments|routing|
/// limits`), and the holiday rows loaded beside the built-in calendar (`import --layer holidays`).
public struct CaseTables: Sendable, Hashable {
    public var departments: [(id: String, name: String)]
    public var routing: RoutingTable
    public var limits: LimitTable
    public var holidays: HolidayCalendar
    /// The city's class codes by (kind, code), for class names and checks (`CaseDesk.context` reads them).
    public var classes = ClassCatalog()

    public init(departments: [(id: String, name: String)] = [], routing: RoutingTable = .init([]), limits: LimitTable = .init([]),
                holidays: HolidayCalendar = .none) {
        self.departments = departments
        self.routing = routing
        self.limits = limits
        self.holidays = holidays
    }

    public static func == (a: CaseTables, b: CaseTables) -> Bool {
        a.departments.map { [$0.id, $0.name] } == b.departments.map { [$0.id, $0.name] } && a.routing == b.routing && a.limits == b.limits
            && a.holidays == b.holidays
    }
    public func hash(into h: inout Hasher) { h.combine(departments.map(\.id)) }

    /// The calendar cases are timed with: the built-in official one and the rows loaded into the database.
    public var calendar: HolidayCalendar { HolidayCalendar.china.merging(holidays) }

    public func isDepartment(_ id: String) -> Bool { departments.isEmpty || departments.contains { $0.id == id } }
}

/// The reference tables a database can load.
public enum CaseTableKind: String, Sendable, CaseIterable {
    case departments, routing, limits, holidays
}

/// A store that keeps the case loop: cases, their events, idempotency keys and the reference tables. Every write is
/// one transaction; a refused write changes nothing.
public protocol CaseStore: CityStore {
    /// The reference tables (departments, routing, limits, loaded holidays).
    func caseTables() throws -> CaseTables
    /// Replaces one reference table with checked rows (`CaseTableFile`); loading holidays recomputes the deadlines of
    /// the cases marked provisional with `schedule` and the new calendar, in the same transaction. Returns the rows
    /// stored and, for holidays, the deadlines recomputed.
    func replaceCaseTable(_ table: CaseTableFile, schedule: WorkSchedule) throws -> (rows: Int, recomputed: Int)
    /// Stores a new case. With a claim, a key seen in the last 24 h returns its first answer (`.replayed`) when the
    /// body hash matches and throws `CaseError.idempotencyMismatch` when not. `render` makes the answer stored
    /// with the key.
    func reportCase(_ draft: CaseDraft, claim: IdempotencyClaim?, render: (CaseRecord) -> String) throws -> ReportOutcome
    /// Stores a batch of new cases (a 12345 import) in one transaction; an external id already stored is refused.
    func reportCases(_ drafts: [CaseDraft]) throws -> [CaseRecord]
    /// Applies a transition (`CaseRules.apply`) to the locked case and appends its event. - Throws: `CaseError`.
    func transitionCase(id: String, _ t: CaseTransition, context: CaseContext) throws -> CaseRecord
    /// A case with its events; nil for an unknown id.
    func caseRecord(id: String) throws -> CaseRecord?
    /// Cases, newest report first, without their events; `now` reads the clocks for `time_state`.
    func cases(_ filter: CaseFilter, now: Date) throws -> [CaseRecord]
    /// The assessment rows, by key (nil key last).
    func assessment(_ request: AssessmentRequest) throws -> [AssessmentRow]
}

/// Bytes as lowercase hexadecimal text, two digits each (what `String(format: "%02x")` writes, without a formatter per byte).
func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}
