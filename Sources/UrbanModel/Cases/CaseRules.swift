public import Foundation

/// What a case's transitions need besides the case: the limit table, the routing table (a dispatch without a
/// department takes the routed one) and the working clock (the city's hours and calendar).
public struct CaseContext: Sendable {
    public var limits: LimitTable
    public var routing: RoutingTable
    public var clock: WorkClock

    public init(limits: LimitTable, routing: RoutingTable, clock: WorkClock) {
        self.limits = limits
        self.routing = routing
        self.clock = clock
    }
}

/// A transition asked for: the action, who acts and when, the note, a dispatch's department, an extension's hours,
/// and the version the client last saw (`If-Match`).
public struct CaseTransition: Sendable, Hashable {
    public var action: CaseWorkflow.Action
    public var actor: CaseWorkflow.Actor
    public var at: Date
    public var note: String?
    public var departmentID: String?
    public var workHours: Double?
    public var expectedVersion: Int?
    /// `at` is the moment the request came (the service's clock), not a time the user gave: a concurrent transition
    /// of the case that landed first with a later time moves it up to that time, where a given time before the case's
    /// last event is refused.
    public var atIsNow: Bool

    public init(action: CaseWorkflow.Action, actor: CaseWorkflow.Actor, at: Date, note: String? = nil, departmentID: String? = nil,
                workHours: Double? = nil, expectedVersion: Int? = nil, atIsNow: Bool = false) {
        self.atIsNow = atIsNow
        self.action = action
        self.actor = actor
        self.at = at
        self.note = note
        self.departmentID = departmentID
        self.workHours = workHours
        self.expectedVersion = expectedVersion
    }
}

/// Why a case operation is refused; nothing changes. The service maps each to its status (404, 403, 409, 412, 422,
/// 400) at the edge.
public enum CaseError: Error, Hashable, Sendable, CustomStringConvertible {
    case notFound(String)
    case refused(CaseWorkflow.Refusal)
    /// `If-Match` named another version than the case has.
    case staleVersion(id: String, expected: Int, actual: Int)
    /// An `Idempotency-Key` used within 24 h with another body.
    case idempotencyMismatch(String)
    /// A value of the request is wrong (the field, and why).
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let id): "no case with id '\(id)'"
        case .refused(let r): r.description
        case .staleVersion(let id, let expected, let actual): "case \(id) is at version \(actual), not \(expected) (If-Match): read it again"
        case .idempotencyMismatch(let key): "Idempotency-Key '\(key)' was used in the last 24 h with another body"
        case .invalid(let field, let reason): "\(field): \(reason)"
        }
    }
}

/// The effect of a transition on a case, the same on every engine: the stores load the case (locked), call `apply`
/// and write what it returns, with the event, in one transaction.
public enum CaseRules {
    /// The case after `t`, and the event to append. `c.events` must hold the case's history (an `unpark` or an
    /// `extend` moves the deadline past the parked spans it lists).
    /// - Throws: `CaseError.staleVersion` (checked first), `.refused` (forbidden or illegal, from `CaseWorkflow`),
    ///   `.invalid` for a time before the case's last event, an extension without positive hours, a dispatch with no
    ///   department routed nor given.
    public static func apply(_ t: CaseTransition, to c: CaseRecord, context: CaseContext) throws(CaseError) -> (CaseRecord, CaseEvent) {
        if let v = t.expectedVersion, v != c.version { throw .staleVersion(id: c.id, expected: v, actual: c.version) }
        let next: (to: CaseWorkflow.Status, rework: Bool)
        do { next = try CaseWorkflow.transition(c.facts, t.action, by: t.actor) } catch { throw .refused(error) }
        let last = c.events.last?.at ?? c.reportedAt
        let at = t.atIsNow ? max(t.at, last) : t.at
        guard at >= last else {
            throw .invalid(field: "at", reason: "\(ISOTime.string(at, in: context.clock.timeZone)) is before the case's last event (\(ISOTime.string(last, in: context.clock.timeZone)))")
        }
        var n = c
        n.status = next.to
        n.version += 1
        var event = CaseEvent(action: t.action.name, from: c.status, to: next.to, by: t.actor.name, at: at, note: t.note)
        switch t.action {
        case .verify: n.verifiedAt = at
        case .file: n.filedAt = at
        case .void: n.voidedAt = at
        case .dispatch:
            guard let department = t.departmentID ?? c.routedDepartmentID ?? c.departmentID else {
                throw .invalid(field: "department_id", reason: "the routing table names no department for \(c.kind.rawValue) \(c.classCode) in \(c.place.districtCode ?? "no district"): give one")
            }
            n.departmentID = department
            event.departmentID = department
            n.dispatchedAt = at
            n.handledAt = nil
            n.limitSeconds = context.limits.limit(kind: c.kind, classCode: c.classCode, urgency: c.urgency)?.seconds(context.clock.schedule)
            n.extensionHours = 0
            n.extensions = 0
            n.parkedWorkSeconds = 0
            setDeadline(&n, paused: [], clock: context.clock)
        case .return:
            // 回退: the department gives the case back; its clock ends, a new dispatch starts a new one
            n.dispatchedAt = nil
            n.limitSeconds = nil
            n.deadline = nil
            n.warnAt = nil
            n.deadlineProvisional = false
            n.departmentID = c.routedDepartmentID
        case .handle: n.handledAt = at
        case .check(let passed):
            if passed {
                n.closedAt = at
            } else {
                n.reworkCount += 1
                n.handledAt = nil
            }
        case .park: n.parkedAt = at
        case .unpark:
            let span = DateInterval(start: c.parkedAt ?? at, end: at)
            n.parkedAt = nil
            if let dispatched = c.dispatchedAt {
                n.parkedWorkSeconds += context.clock.workingSeconds(from: max(span.start, dispatched), to: span.end)
            }
            setDeadline(&n, paused: pausedSpans(c.events) + [span], clock: context.clock)
        case .extend:
            guard let hours = t.workHours, hours.isFinite, hours > 0, hours <= 10_000 else {
                throw .invalid(field: "work_hours", reason: "an extension is a positive number of working hours (at most 10000)")
            }
            n.extensionHours += hours
            n.extensions += 1
            event.workHours = hours
            setDeadline(&n, paused: pausedSpans(c.events), clock: context.clock)
        }
        n.events.append(event)
        return (n, event)
    }

    /// The parked spans of a case's current dispatch, from its events (park → unpark pairs after the last dispatch).
    public static func pausedSpans(_ events: [CaseEvent]) -> [DateInterval] {
        var spans: [DateInterval] = []
        var start: Date?
        for e in events {
            switch e.action {
            case "dispatch": spans.removeAll(); start = nil
            case "park": start = e.at
            case "unpark": if let s = start, e.at >= s { spans.append(DateInterval(start: s, end: e.at)) }; start = nil
            default: break
            }
        }
        return spans
    }

    /// Sets the deadline and the 80 % instant from the dispatch, the limit and its extensions, `paused` left out.
    static func setDeadline(_ c: inout CaseRecord, paused: [DateInterval], clock: WorkClock) {
        guard let from = c.dispatchedAt, let limit = c.limitSeconds else {
            c.deadline = nil
            c.warnAt = nil
            c.deadlineProvisional = false
            return
        }
        let total = limit + c.extensionHours * 3600
        let deadline = clock.deadline(from: from, seconds: total, excluding: paused)
        let warn = clock.deadline(from: from, seconds: 0.8 * total, excluding: paused)
        c.deadline = deadline?.at
        c.warnAt = warn?.at
        c.deadlineProvisional = deadline?.provisional ?? false
    }

    /// The deadline of `c` recomputed with `clock` (after a new year's calendar was loaded).
    public static func recomputed(_ c: CaseRecord, clock: WorkClock) -> CaseRecord {
        var n = c
        setDeadline(&n, paused: pausedSpans(c.events), clock: clock)
        return n
    }
}
