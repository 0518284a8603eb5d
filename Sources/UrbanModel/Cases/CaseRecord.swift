public import Foundation
public import SpatialCore

/// Where a case lies, from the lookup at its spot when it was reported: the grid, its community, street and district,
/// the grid's chief and the nearest street segment. Nil where the city has no such unit there.
public struct CasePlace: Sendable, Hashable {
    public var gridCode: String?
    public var communityCode: String?
    public var streetCode: String?
    public var districtCode: String?
    public var chief: String?
    public var segmentID: String?

    public init(gridCode: String? = nil, communityCode: String? = nil, streetCode: String? = nil, districtCode: String? = nil,
                chief: String? = nil, segmentID: String? = nil) {
        self.gridCode = gridCode
        self.communityCode = communityCode
        self.streetCode = streetCode
        self.districtCode = districtCode
        self.chief = chief
        self.segmentID = segmentID
    }

    /// The most specific admin code: the community's, else the street's, else the district's. District scopes and
    /// routing rows match it by prefix (a 9-digit street code prefixes its communities' codes).
    public var adminCode: String? { communityCode ?? streetCode ?? districtCode }

    /// The place a lookup answered for a spot.
    public init(_ r: LookupResult) {
        self.init(gridCode: r.gridCode, communityCode: r.communityCode, streetCode: r.streetCode, districtCode: r.districtCode,
                  chief: r.chief, segmentID: r.segmentID)
    }
}

/// One transition of a case, as its history keeps it: the action (`report`, `verify`, `file`, …), the statuses before
/// (nil for the report) and after, who acted and when, the note, and what the action carried (the department a
/// dispatch sent the case to, the working hours an extension added).
public struct CaseEvent: Sendable, Hashable {
    public var action: String
    public var from: CaseWorkflow.Status?
    public var to: CaseWorkflow.Status
    public var by: String
    public var at: Date
    public var note: String?
    public var departmentID: String?
    public var workHours: Double?

    public init(action: String, from: CaseWorkflow.Status?, to: CaseWorkflow.Status, by: String, at: Date, note: String? = nil,
                departmentID: String? = nil, workHours: Double? = nil) {
        self.action = action
        self.from = from
        self.to = to
        self.by = by
        self.at = at
        self.note = note
        self.departmentID = departmentID
        self.workHours = workHours
    }

    public func json(in zone: TimeZone) -> JSONValue {
        var o: JSONObject = [
            "action": .string(action), "from": from.map { .string($0.rawValue) } ?? .null, "to": .string(to.rawValue),
            "by": .string(by), "at": .string(ISOTime.string(at, in: zone)), "note": note.map(JSONValue.string) ?? .null,
        ]
        if let departmentID { o["department_id"] = .string(departmentID) }
        if let workHours { o["work_hours"] = .number(workHours) }
        return .object(o)
    }
}

/// A case of the 数字城管 loop as it is stored: what was reported and where, where it was routed, its status and
/// version, the time of every stage, and its clock (the limit in working seconds, extensions, the parked working time,
/// the deadline and the instant 80 % of the limit is used). `events` is filled when the history was read.
public struct CaseRecord: Sendable, Hashable {
    public var id: String
    /// The work order's own number (a 12345 order), when it came with one.
    public var externalID: String?
    public var source: CaseWorkflow.Source
    public var kind: CaseWorkflow.Kind
    public var classCode: String
    /// The class's Chinese name from the city's code tables, looked up by (kind, class code) when the case is read;
    /// nil when the tables lack the class.
    public var className: String?
    public var urgency: CaseWorkflow.Urgency
    public var description: String?
    /// WGS84.
    public var lon: Double, lat: Double
    public var place: CasePlace
    /// The hazard (部件 problem) the case was reported for; its closing resolves the hazard.
    public var hazardID: String?
    /// The department the routing table named at the report.
    public var routedDepartmentID: String?
    /// The department the case is with: the routed one until dispatched, then the one it was dispatched to.
    public var departmentID: String?
    public var status: CaseWorkflow.Status
    public var version: Int
    public var reportedBy: String
    public var reportedAt: Date
    public var verifiedAt: Date?
    public var filedAt: Date?
    public var dispatchedAt: Date?
    /// The last handling (cleared when a check fails: the case is back with the department).
    public var handledAt: Date?
    public var closedAt: Date?
    public var voidedAt: Date?
    /// Since when the case is parked (挂账); nil when it is not.
    public var parkedAt: Date?
    /// The handling limit in working seconds (from the limit table at dispatch); nil when no row matched.
    public var limitSeconds: Double?
    /// Working hours added by extensions (延期), and how many there were.
    public var extensionHours: Double
    public var extensions: Int
    /// Working seconds the case spent parked since its dispatch (closed spans only).
    public var parkedWorkSeconds: Double
    public var deadline: Date?
    /// The instant 80 % of the limit (with extensions) is used: `yellow` from here.
    public var warnAt: Date?
    public var deadlineProvisional: Bool
    public var reworkCount: Int
    public var events: [CaseEvent]

    public init(id: String, externalID: String? = nil, source: CaseWorkflow.Source, kind: CaseWorkflow.Kind, classCode: String,
                urgency: CaseWorkflow.Urgency, description: String?, lon: Double, lat: Double, place: CasePlace, hazardID: String? = nil,
                routedDepartmentID: String?, departmentID: String?, status: CaseWorkflow.Status, version: Int,
                reportedBy: String, reportedAt: Date, verifiedAt: Date? = nil, filedAt: Date? = nil, dispatchedAt: Date? = nil,
                handledAt: Date? = nil, closedAt: Date? = nil, voidedAt: Date? = nil, parkedAt: Date? = nil,
                limitSeconds: Double? = nil, extensionHours: Double = 0, extensions: Int = 0, parkedWorkSeconds: Double = 0,
                deadline: Date? = nil, warnAt: Date? = nil, deadlineProvisional: Bool = false, reworkCount: Int = 0,
                events: [CaseEvent] = []) {
        self.id = id
        self.externalID = externalID
        self.source = source
        self.kind = kind
        self.classCode = classCode
        self.urgency = urgency
        self.description = description
        self.lon = lon
        self.lat = lat
        self.place = place
        self.hazardID = hazardID
        self.routedDepartmentID = routedDepartmentID
        self.departmentID = departmentID
        self.status = status
        self.version = version
        self.reportedBy = reportedBy
        self.reportedAt = reportedAt
        self.verifiedAt = verifiedAt
        self.filedAt = filedAt
        self.dispatchedAt = dispatchedAt
        self.handledAt = handledAt
        self.closedAt = closedAt
        self.voidedAt = voidedAt
        self.parkedAt = parkedAt
        self.limitSeconds = limitSeconds
        self.extensionHours = extensionHours
        self.extensions = extensions
        self.parkedWorkSeconds = parkedWorkSeconds
        self.deadline = deadline
        self.warnAt = warnAt
        self.deadlineProvisional = deadlineProvisional
        self.reworkCount = reworkCount
        self.events = events
    }

    public var facts: CaseWorkflow.CaseFacts { .init(status: status, departmentID: departmentID, districtCode: place.adminCode) }

    /// The instant the clock is read at: the closing for a closed case, the start of the parking for a parked one,
    /// `now` otherwise.
    public func clockInstant(now: Date) -> Date {
        switch status {
        case .closed: closedAt ?? now
        case .parked: parkedAt ?? now
        case .voided: voidedAt ?? now
        default: now
        }
    }

    /// Working seconds used since the dispatch (parked spans left out); nil before dispatch.
    public func workSecondsUsed(now: Date, clock: WorkClock) -> Double? {
        guard let dispatchedAt else { return nil }
        return max(0, clock.workingSeconds(from: dispatchedAt, to: clockInstant(now: now)) - parkedWorkSeconds)
    }

    /// green, yellow (80 % of the limit used), red (past the limit); nil before dispatch or without a limit.
    public func timeState(now: Date) -> TimeState? {
        guard dispatchedAt != nil, let deadline, let warnAt else { return nil }
        let t = clockInstant(now: now)
        if t > deadline { return .red }
        return t >= warnAt ? .yellow : .green
    }

    /// The case as the contract shows it (`GET /cases/{id}`, `--format json`), its clock read at `now`. `events` is
    /// included when `withEvents` (the history was read). The deadline of a parked case is null: its clock stands.
    public func json(now: Date, clock: WorkClock, withEvents: Bool = true) -> JSONValue {
        let zone = clock.timeZone
        func t(_ d: Date?) -> JSONValue { d.map { .string(ISOTime.string($0, in: zone)) } ?? .null }
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        var o: JSONObject = [
            "id": .string(id), "external_id": s(externalID), "source": .string(source.rawValue), "kind": .string(kind.rawValue),
            "class_code": .string(classCode), "class_name": s(className), "urgency": .string(urgency.rawValue), "description": s(description),
            "lon": .number(lon), "lat": .number(lat),
            "grid_code": s(place.gridCode), "community_code": s(place.communityCode), "street_code": s(place.streetCode),
            "district_code": s(place.districtCode), "chief": s(place.chief), "segment_id": s(place.segmentID),
            "hazard_id": s(hazardID), "department_id": s(departmentID), "routed_department_id": s(routedDepartmentID),
            "status": .string(status.rawValue), "version": .int(Int64(version)), "reported_by": .string(reportedBy),
            "reported_at": t(reportedAt), "verified_at": t(verifiedAt), "filed_at": t(filedAt), "dispatched_at": t(dispatchedAt),
            "handled_at": t(handledAt), "closed_at": t(closedAt), "voided_at": t(voidedAt), "parked_at": t(parkedAt),
            "deadline": status == .parked ? .null : t(deadline), "deadline_provisional": .bool(deadlineProvisional),
            "limit_work_hours": limitSeconds.map { .number(Self.round($0 / 3600)) } ?? .null,
            "extension_work_hours": .number(extensionHours),
            "work_hours_used": workSecondsUsed(now: now, clock: clock).map { .number(Self.round($0 / 3600)) } ?? .null,
            "time_state": timeState(now: now).map { .string($0.rawValue) } ?? .null,
            "rework_count": .int(Int64(reworkCount)),
        ]
        if withEvents { o["events"] = .array(events.map { $0.json(in: zone) }) }
        return .object(o)
    }

    /// Hours to 1/1000 (3.6 s): what a person reads, the same on every engine.
    static func round(_ hours: Double) -> Double { (hours * 1000).rounded() / 1000 }
}
