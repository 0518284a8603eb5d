import Testing
@testable import UrbanModel

/// The workflow against the contract's table (operations-api §2), written out here as data: every action from every
/// status is allowed exactly where the table says, and leads where it says.
@Suite struct CaseWorkflowTests {
    typealias W = CaseWorkflow
    static let allowed: [String: [W.Status: W.Status]] = [
        "verify+": [.verifying: .reported], "verify-": [.verifying: .voided],
        "file": [.reported: .filed], "void": [.reported: .voided, .filed: .voided],
        "dispatch": [.filed: .dispatched], "return": [.dispatched: .filed], "handle": [.dispatched: .handled],
        "check+": [.handled: .closed], "check-": [.handled: .dispatched],
        "park": [.dispatched: .parked], "unpark": [.parked: .dispatched], "extend": [.dispatched: .dispatched],
    ]
    static let actions: [String: W.Action] = [
        "verify+": .verify(confirmed: true), "verify-": .verify(confirmed: false), "file": .file, "void": .void,
        "dispatch": .dispatch, "return": .return, "handle": .handle, "check+": .check(passed: true),
        "check-": .check(passed: false), "park": .park, "unpark": .unpark, "extend": .extend,
    ]

    @Test func everyActionFromEveryStatus() throws {
        let admin = W.Actor(name: "root", role: .admin)
        for (name, action) in Self.actions {
            for status in W.Status.allCases {
                let facts = W.CaseFacts(status: status, departmentID: "d1", districtCode: "320508")
                if let to = Self.allowed[name]?[status] {
                    let r = try W.transition(facts, action, by: admin)
                    #expect(r.to == to && r.rework == (name == "check-"), "\(name) from \(status)")
                } else {
                    #expect(throws: W.Refusal.illegal("\(action.name) is not possible for a case that is \(status.rawValue)")) {
                        try W.transition(facts, action, by: admin)
                    }
                }
            }
        }
    }

    @Test func reportsFromTheSupervisorSkipVerification() throws {
        #expect(try W.report(source: .supervisor, by: .init(name: "s", role: .supervisor)) == .reported)
        for source in [W.Source.hotline, .public, .video, .leader] {
            #expect(try W.report(source: source, by: .init(name: "o", role: .operator)) == .verifying)
        }
        #expect(throws: W.Refusal.self) { try W.report(source: .hotline, by: .init(name: "d", role: .department, departmentID: "d1")) }
        #expect(throws: W.Refusal.self) { try W.report(source: .hotline, by: .init(name: "v", role: .viewer)) }
    }

    /// A department cannot close its own case, acts only on its own cases; roles and district scopes are kept.
    @Test func rolesAndScopes() throws {
        let handled = W.CaseFacts(status: .handled, departmentID: "d1", districtCode: "320508019044")
        let department = W.Actor(name: "d", role: .department, departmentID: "d1")
        #expect(throws: W.Refusal.forbidden("check is for role supervisor, not department")) {
            try W.transition(handled, .check(passed: true), by: department)
        }
        let dispatched = W.CaseFacts(status: .dispatched, departmentID: "d1", districtCode: "320508019044")
        #expect(try W.transition(dispatched, .handle, by: department).to == .handled)
        #expect(throws: W.Refusal.self) { try W.transition(dispatched, .handle, by: .init(name: "e", role: .department, departmentID: "d2")) }
        let supervisor = W.Actor(name: "s", role: .supervisor, district: "320508")
        #expect(try W.transition(handled, .check(passed: false), by: supervisor) == (.dispatched, true))
        let elsewhere = W.Actor(name: "t", role: .supervisor, district: "320505")
        #expect(throws: W.Refusal.self) { try W.transition(handled, .check(passed: true), by: elsewhere) }
        #expect(throws: W.Refusal.self) { try W.transition(dispatched, .park, by: .init(name: "v", role: .viewer)) }
        // a forbidden role is told so even where the status would not allow it either
        #expect(throws: W.Refusal.forbidden("file is for role shift_leader, not dispatcher")) {
            try W.transition(handled, .file, by: .init(name: "x", role: .dispatcher))
        }
    }

    /// Routing: the longest class-code prefix, then the longest district code; the two kinds never mix.
    @Test func routingAndLimits() {
        let table = RoutingTable([
            .init(kind: .component, classCode: "01", departmentID: "water"),
            .init(kind: .component, classCode: "0101", departmentID: "covers"),
            .init(kind: .component, classCode: "0101", districtCode: "320508", departmentID: "covers-gusu"),
            .init(kind: .event, classCode: "01", departmentID: "sanitation"),
        ])
        #expect(table.department(kind: .component, classCode: "0101", districtCode: "320508019044") == "covers-gusu")
        #expect(table.department(kind: .component, classCode: "0101", districtCode: "320505001001") == "covers")
        #expect(table.department(kind: .component, classCode: "0102", districtCode: "320508019044") == "water")
        #expect(table.department(kind: .event, classCode: "0101", districtCode: "320508019044") == "sanitation")
        #expect(table.department(kind: .event, classCode: "0201", districtCode: nil) == nil)
        let limits = LimitTable([
            .init(kind: .event, classCode: "01", urgency: .normal, limit: .workDays(1)),
            .init(kind: .event, classCode: "0101", urgency: .normal, limit: .workHours(4)),
            .init(kind: .event, classCode: "01", urgency: .urgent, limit: .workHours(2)),
            .init(kind: .component, classCode: "0101", urgency: .normal, limit: .workDays(5)),
        ])
        #expect(limits.limit(kind: .event, classCode: "0101", urgency: .normal) == .workHours(4))
        #expect(limits.limit(kind: .event, classCode: "0102", urgency: .normal) == .workDays(1))
        #expect(limits.limit(kind: .event, classCode: "0101", urgency: .urgent) == .workHours(2))
        #expect(limits.limit(kind: .component, classCode: "0101", urgency: .normal) == .workDays(5))
        #expect(limits.limit(kind: .component, classCode: "0201", urgency: .normal) == nil)
    }
}
