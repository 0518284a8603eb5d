/// The 数字城管 case workflow as rules: states, who may do what, and where each action leads. Pure values: the
/// storage applies a transition in one transaction with its event; the service maps the refusals to HTTP (403, 409).
///
/// | action | who | from → to |
/// | --- | --- | --- |
/// | report | supervisor, operator | new → `reported` (source supervisor) or `verifying` (any other source: 核实 first) |
/// | verify(confirmed) | supervisor | `verifying` → `reported`, or `voided` |
/// | file 立案 | shift_leader | `reported` → `filed` |
/// | void 作废 | shift_leader | `reported`, `filed` → `voided` |
/// | dispatch 派遣 | dispatcher | `filed` → `dispatched` (the clock starts) |
/// | return 回退 | department (its own) | `dispatched` → `filed` |
/// | handle 处置 | department (its own) | `dispatched` → `handled` |
/// | check(passed) 核查 | supervisor | `handled` → `closed`, or back to `dispatched` as rework (返工; the deadline kept) |
/// | park / unpark 挂账 | shift_leader | `dispatched` ↔ `parked` (parked time does not count) |
/// | extend 延期 | shift_leader | `dispatched` → `dispatched` (the limit grows) |
///
/// A department never closes its own case: only a supervisor's check does. `admin` may do everything a role may;
/// `viewer` nothing. A user with a district scope acts only on cases under that code; a department user only on
/// cases dispatched to its department.
public enum CaseWorkflow {
    public enum Status: String, Sendable, CaseIterable, Codable {
        case verifying, reported, filed, dispatched, parked, handled, closed, voided
    }

    public enum Source: String, Sendable, CaseIterable, Codable {
        case supervisor, hotline, `public`, video, leader
    }

    /// 部件 (component) or 事件 (event): the two GB/T 30428.2 tables, whose class codes overlap.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case component, event
    }

    public enum Urgency: String, Sendable, CaseIterable, Codable {
        case normal, urgent
    }

    public enum Role: String, Sendable, CaseIterable, Codable {
        case supervisor, `operator`, shiftLeader = "shift_leader", dispatcher, department, viewer, admin
    }

    public enum Action: Sendable, Hashable {
        case verify(confirmed: Bool)
        case file, void, dispatch, `return`, handle
        case check(passed: Bool)
        case park, unpark, extend

        /// The name in routes, events and the CLI (`verify`, `file`, `check`, …).
        public var name: String {
            switch self {
            case .verify: "verify"
            case .file: "file"
            case .void: "void"
            case .dispatch: "dispatch"
            case .return: "return"
            case .handle: "handle"
            case .check: "check"
            case .park: "park"
            case .unpark: "unpark"
            case .extend: "extend"
            }
        }

        /// The role that may take the action (besides `admin`).
        public var role: Role {
            switch self {
            case .verify, .check: .supervisor
            case .file, .void, .park, .unpark, .extend: .shiftLeader
            case .dispatch: .dispatcher
            case .return, .handle: .department
            }
        }
    }

    /// Who acts: a role, the department of a department user, the district code a user is limited to.
    public struct Actor: Sendable, Hashable {
        public var name: String
        public var role: Role
        public var departmentID: String?
        public var district: String?
        public init(name: String, role: Role, departmentID: String? = nil, district: String? = nil) {
            self.name = name
            self.role = role
            self.departmentID = departmentID
            self.district = district
        }
    }

    /// What the rules need of a case.
    public struct CaseFacts: Sendable, Hashable {
        public var status: Status
        public var departmentID: String?
        public var districtCode: String?
        public init(status: Status, departmentID: String?, districtCode: String?) {
            self.status = status
            self.departmentID = departmentID
            self.districtCode = districtCode
        }
    }

    /// Why an action is refused; nothing changes.
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        /// The actor's role or scope may not (HTTP 403).
        case forbidden(String)
        /// The case's status does not allow the action (HTTP 409).
        case illegal(String)

        public var description: String {
            switch self {
            case .forbidden(let m), .illegal(let m): m
            }
        }
    }

    /// The status of a new report: `reported` from a supervisor, `verifying` (核实 first) from any other source.
    /// - Throws: `Refusal.forbidden` unless a supervisor, an operator or an admin reports.
    public static func report(source: Source, by actor: Actor) throws(Refusal) -> Status {
        guard [.supervisor, .operator, .admin].contains(actor.role) else {
            throw .forbidden("role \(actor.role.rawValue) may not report cases (supervisor or operator)")
        }
        return source == .supervisor ? .reported : .verifying
    }

    /// Whether `actor` may see or act on a case under `districtCode` (a scope is a 6-, 9- or 12-digit prefix).
    public static func inScope(_ actor: Actor, districtCode: String?) -> Bool {
        guard let scope = actor.district else { return true }
        return districtCode?.hasPrefix(scope) == true
    }

    /// Where `action` by `actor` takes a case, and whether it is a rework (a failed check).
    /// - Throws: `Refusal.forbidden` for a role or scope that may not act (checked first), `Refusal.illegal` for an
    ///   action the case's status does not allow.
    public static func transition(_ c: CaseFacts, _ action: Action, by actor: Actor) throws(Refusal) -> (to: Status, rework: Bool) {
        let needed = action.role
        guard actor.role == needed || actor.role == .admin else {
            throw .forbidden("\(action.name) is for role \(needed.rawValue), not \(actor.role.rawValue)")
        }
        guard inScope(actor, districtCode: c.districtCode) else {
            throw .forbidden("\(actor.name) is limited to district \(actor.district ?? "") and the case is in \(c.districtCode ?? "no district")")
        }
        if actor.role == .department, c.departmentID != actor.departmentID {
            throw .forbidden("the case is \(c.departmentID.map { "with department \($0)" } ?? "with no department"), not \(actor.departmentID ?? "none")")
        }
        func illegal() -> Refusal { .illegal("\(action.name) is not possible for a case that is \(c.status.rawValue)") }
        switch (action, c.status) {
        case (.verify(let confirmed), .verifying): return (confirmed ? .reported : .voided, false)
        case (.file, .reported): return (.filed, false)
        case (.void, .reported), (.void, .filed): return (.voided, false)
        case (.dispatch, .filed): return (.dispatched, false)
        case (.return, .dispatched): return (.filed, false)
        case (.handle, .dispatched): return (.handled, false)
        case (.check(let passed), .handled): return (passed ? .closed : .dispatched, !passed)
        case (.park, .dispatched): return (.parked, false)
        case (.unpark, .parked): return (.dispatched, false)
        case (.extend, .dispatched): return (.dispatched, false)
        default: throw illegal()
        }
    }
}
