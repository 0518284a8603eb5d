import Foundation
import SpatialCore
import Testing
@testable import UrbanModel

/// A case's clock through its life, against deadlines solved by hand on the 2026 calendar with the default hours
/// (08:30–12:00, 14:00–17:30: 7 h a day), and the checks of what users send.
@Suite struct CaseRulesTests {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!
    static func t(_ s: String) -> Date { ISOTime.date(s, in: zone)! }
    static let limits = LimitTable([
        .init(kind: .event, classCode: "", urgency: .normal, limit: .workDays(3)),
        .init(kind: .event, classCode: "0102", urgency: .normal, limit: .workDays(2)),
        .init(kind: .component, classCode: "01", urgency: .urgent, limit: .workHours(2)),
    ])
    static let context = CaseContext(limits: limits, routing: RoutingTable([]), clock: WorkClock(timeZone: zone))
    static let supervisor = CaseWorkflow.Actor(name: "sup", role: .supervisor)
    static let leader = CaseWorkflow.Actor(name: "lead", role: .shiftLeader)
    static let dispatcher = CaseWorkflow.Actor(name: "disp", role: .dispatcher)
    static let sanitation = CaseWorkflow.Actor(name: "san", role: .department, departmentID: "sanitation")

    static func draft(kind: CaseWorkflow.Kind = .event, classCode: String = "0102", urgency: CaseWorkflow.Urgency = .normal, at: String) -> CaseRecord {
        CaseDraft(source: .supervisor, kind: kind, classCode: classCode, urgency: urgency, description: nil, lon: 118, lat: 36.8,
                  place: CasePlace(districtCode: "370303"), routedDepartmentID: "sanitation", reportedBy: "sup", reportedAt: t(at), status: .reported)
            .record(id: "E1")
    }

    func step(_ c: inout CaseRecord, _ action: CaseWorkflow.Action, _ actor: CaseWorkflow.Actor, _ at: String, hours: Double? = nil) throws {
        c = try CaseRules.apply(CaseTransition(action: action, actor: actor, at: Self.t(at), workHours: hours), to: c, context: Self.context).0
    }

    @Test func parkingExtensionAndReworkMoveTheDeadlineAsSolvedByHand() throws {
        var c = Self.draft(at: "2026-12-01T08:50")
        try step(&c, .file, Self.leader, "2026-12-01T08:55")
        try step(&c, .dispatch, Self.dispatcher, "2026-12-01T09:00")
        // 2 work days = 14 h: Tue 6.5 h, Wed 7 h, Thu 0.5 h → Thu 09:00; 80 % (11.2 h): Wed 3.5 h + 1.2 h after 14:00
        #expect(c.deadline == Self.t("2026-12-03T09:00") && c.warnAt == Self.t("2026-12-02T15:12") && !c.deadlineProvisional)
        #expect(c.limitSeconds == 14 * 3600 && c.departmentID == "sanitation" && c.version == 3)
        #expect(c.timeState(now: Self.t("2026-12-02T15:11")) == .green && c.timeState(now: Self.t("2026-12-02T15:12")) == .yellow)
        #expect(c.timeState(now: Self.t("2026-12-03T09:00")) == .yellow && c.timeState(now: Self.t("2026-12-03T09:01")) == .red)
        // parked Tue 10:00 → Wed 10:00: 2 + 3.5 + 1.5 = 7 working hours; the deadline moves by them, to Fri 09:00
        try step(&c, .park, Self.leader, "2026-12-01T10:00")
        #expect(c.timeState(now: Self.t("2026-12-09T10:00")) == .green)  // the clock stands while parked
        #expect(c.json(now: Self.t("2026-12-01T11:00"), clock: Self.context.clock)["deadline"] == .null)
        try step(&c, .unpark, Self.leader, "2026-12-02T10:00")
        #expect(c.deadline == Self.t("2026-12-04T09:00") && abs(c.parkedWorkSeconds - 7 * 3600) < 0.001)
        #expect(abs(try #require(c.workSecondsUsed(now: Self.t("2026-12-03T09:00"), clock: Self.context.clock)) - 7 * 3600) < 0.001)  // 6.5 + 7 + 0.5 − 7
        // 延期 3 h: Fri 09:00 + 3 h = 12:00
        try step(&c, .extend, Self.leader, "2026-12-02T11:00", hours: 3)
        #expect(c.deadline == Self.t("2026-12-04T12:00") && c.extensions == 1 && c.extensionHours == 3)
        // handled, the check fails: rework, the deadline kept
        try step(&c, .handle, Self.sanitation, "2026-12-04T11:00")
        try step(&c, .check(passed: false), Self.supervisor, "2026-12-04T11:30")
        #expect(c.status == .dispatched && c.reworkCount == 1 && c.handledAt == nil && c.deadline == Self.t("2026-12-04T12:00"))
        try step(&c, .handle, Self.sanitation, "2026-12-07T09:00")
        try step(&c, .check(passed: true), Self.supervisor, "2026-12-07T09:30")
        // closed Mon 09:30: 6.5 + 7 + 7 + 7 + 1 − 7 = 21.5 h used of 17 h: red, and it stays red
        #expect(c.status == .closed && c.closedAt == Self.t("2026-12-07T09:30") && c.version == 10)
        #expect(abs(try #require(c.workSecondsUsed(now: Self.t("2027-06-01T09:00"), clock: Self.context.clock)) - 21.5 * 3600) < 0.001)
        #expect(c.timeState(now: Self.t("2027-06-01T09:00")) == .red)
        #expect(c.events.map(\.action) == ["report", "file", "dispatch", "park", "unpark", "extend", "handle", "check", "handle", "check"])
        #expect(CaseRules.pausedSpans(c.events) == [DateInterval(start: Self.t("2026-12-01T10:00"), end: Self.t("2026-12-02T10:00"))])
    }

    @Test func aDeadlinePastTheCalendarIsProvisionalUntilTheNextYearIsLoaded() throws {
        // 5 work days = 35 h from Mon 2026-12-28 09:00: 6.5 + 7 + 7 + 7 (to Thu 31) = 27.5; 2027 has no calendar: Fri 1 Jan
        // counts (34.5), Mon 4 Jan 08:30 + 0.5 h
        var c = Self.draft(classCode: "0401", at: "2026-12-28T08:00")
        let fiveDays = CaseContext(limits: LimitTable([.init(kind: .event, classCode: "", urgency: .normal, limit: .workDays(5))]), routing: .init([]),
                                   clock: Self.context.clock)
        c = try CaseRules.apply(.init(action: .file, actor: Self.leader, at: Self.t("2026-12-28T08:30")), to: c, context: fiveDays).0
        c = try CaseRules.apply(.init(action: .dispatch, actor: Self.dispatcher, at: Self.t("2026-12-28T09:00")), to: c, context: fiveDays).0
        #expect(c.deadline == Self.t("2027-01-04T09:00") && c.deadlineProvisional)
        // 2027's file: 1–3 January off → Mon 4 Jan full (34.5 − 7 + 7), Tue 5 Jan 08:30 + 0.5 h; no longer provisional
        let next = try HolidayCalendar(csv: "date,kind\n2027-01-01,holiday\n2027-01-02,holiday\n2027-01-03,holiday\n")
        let recomputed = CaseRules.recomputed(c, clock: WorkClock(calendar: HolidayCalendar.china.merging(next), timeZone: Self.zone))
        #expect(recomputed.deadline == Self.t("2027-01-05T09:00") && !recomputed.deadlineProvisional)
    }

    @Test func returnEndsTheClockAndVoidIsFinal() throws {
        var c = Self.draft(at: "2026-12-01T08:50")
        try step(&c, .file, Self.leader, "2026-12-01T08:55")
        try step(&c, .dispatch, Self.dispatcher, "2026-12-01T09:00")
        try step(&c, .return, Self.sanitation, "2026-12-01T09:30")
        #expect(c.status == .filed && c.dispatchedAt == nil && c.deadline == nil && c.timeState(now: Self.t("2026-12-09T09:00")) == nil)
        try step(&c, .void, Self.leader, "2026-12-01T10:00")
        #expect(throws: CaseError.refused(.illegal("dispatch is not possible for a case that is voided"))) {
            try step(&c, .dispatch, Self.dispatcher, "2026-12-01T11:00")
        }
    }

    @Test func refusalsNameWhatIsWrong() throws {
        var c = Self.draft(at: "2026-12-01T08:50")
        // a stale version is checked first, then role, then status, then time
        #expect(throws: CaseError.staleVersion(id: "E1", expected: 4, actual: 1)) {
            try CaseRules.apply(.init(action: .file, actor: Self.leader, at: Self.t("2026-12-01T09:00"), expectedVersion: 4), to: c, context: Self.context)
        }
        #expect(throws: CaseError.refused(.forbidden("file is for role shift_leader, not supervisor"))) { try step(&c, .file, Self.supervisor, "2026-12-01T09:00") }
        #expect(throws: CaseError.self) { try step(&c, .file, Self.leader, "2026-12-01T08:00") }  // before the report
        try step(&c, .file, Self.leader, "2026-12-01T09:00")
        try step(&c, .dispatch, Self.dispatcher, "2026-12-01T09:10")
        // another department may not handle it; the department may not close its own case
        let water = CaseWorkflow.Actor(name: "w", role: .department, departmentID: "water")
        #expect(throws: CaseError.refused(.forbidden("the case is with department sanitation, not water"))) { try step(&c, .handle, water, "2026-12-01T10:00") }
        try step(&c, .handle, Self.sanitation, "2026-12-01T10:00")
        #expect(throws: CaseError.refused(.forbidden("check is for role supervisor, not department"))) { try step(&c, .check(passed: true), Self.sanitation, "2026-12-01T10:10") }
        #expect(throws: CaseError.invalid(field: "work_hours", reason: "an extension is a positive number of working hours (at most 10000)")) {
            var d = Self.draft(at: "2026-12-01T08:50")
            try step(&d, .file, Self.leader, "2026-12-01T09:00")
            try step(&d, .dispatch, Self.dispatcher, "2026-12-01T09:10")
            try step(&d, .extend, Self.leader, "2026-12-01T09:20", hours: -1)
        }
    }

    /// The service stamps a transition with the moment its request came; a concurrent one that landed first with a
    /// later stamp moves it up to its own time instead of refusing it (a time a user gives is still refused).
    @Test func aServiceStampBeforeTheLastEventMovesUpToIt() throws {
        var c = Self.draft(at: "2026-12-01T08:50")
        try step(&c, .file, Self.leader, "2026-12-01T09:00:05")
        let late = CaseTransition(action: .dispatch, actor: Self.dispatcher, at: Self.t("2026-12-01T09:00:02"), atIsNow: true)
        let (d, event) = try CaseRules.apply(late, to: c, context: Self.context)
        #expect(event.at == Self.t("2026-12-01T09:00:05") && d.dispatchedAt == Self.t("2026-12-01T09:00:05"))
        var given = late
        given.atIsNow = false
        #expect(throws: CaseError.invalid(field: "at", reason: "2026-12-01T09:00:02+08:00 is before the case's last event (2026-12-01T09:00:05+08:00)")) {
            try CaseRules.apply(given, to: c, context: Self.context)
        }
    }

    @Test func anUrgentComponentUsesItsOwnLimitAndAnUnmatchedClassHasNoClock() throws {
        var c = Self.draft(kind: .component, classCode: "0101", urgency: .urgent, at: "2026-12-01T11:00")
        try step(&c, .file, Self.leader, "2026-12-01T11:05")
        try step(&c, .dispatch, Self.dispatcher, "2026-12-01T11:30")  // 0.5 h before noon, 1.5 h after 14:00
        #expect(c.deadline == Self.t("2026-12-01T15:30"))
        var d = Self.draft(kind: .component, classCode: "0201", at: "2026-12-01T11:00")
        try step(&d, .file, Self.leader, "2026-12-01T11:05")
        try step(&d, .dispatch, Self.dispatcher, "2026-12-01T11:30")
        #expect(d.deadline == nil && d.limitSeconds == nil && d.timeState(now: Self.t("2027-01-01T00:00")) == nil)
    }

    @Test func reportBodiesAreCheckedFieldByField() throws {
        func body(_ text: String) throws -> CaseReport { try CaseDesk.report(try JSONValue(parsing: text)) }
        let ok = try body(#"{"source":"hotline","kind":"事件","class_code":"0102","urgency":"紧急","lon":118.05,"lat":36.81}"#)
        #expect(ok.source == .hotline && ok.kind == .event && ok.urgency == .urgent)
        // GCJ-02 in, WGS84 stored: the offset near Zibo is a few hundred metres
        let g = try body(#"{"source":"supervisor","kind":"event","class_code":"0102","lon":118.05,"lat":36.81,"crs":"GCJ02"}"#)
        let expected = ChinaOffsetSystem.gcj02.toWGS84(Coordinate(118.05, 36.81))
        #expect(g.lon == expected.x && g.lat == expected.y && abs(g.lon - 118.05) > 0.001)
        for (text, field) in [
            (#"{"kind":"event","class_code":"0102","lon":1,"lat":2}"#, "source"),
            (#"{"source":"x","kind":"event","class_code":"0102","lon":1,"lat":2}"#, "source"),
            (#"{"source":"hotline","kind":"event","class_code":"01A2","lon":1,"lat":2}"#, "class_code"),
            (#"{"source":"hotline","kind":"event","class_code":"0102","lon":"1","lat":2}"#, "lon"),
            (#"{"source":"hotline","kind":"event","class_code":"0102","lon":1,"lat":95}"#, "lat"),
            (#"{"source":"hotline","kind":"event","class_code":"0102","lon":1,"lat":2,"crs":"EPSG:0"}"#, "crs"),
            (#"{"source":"hotline","kind":"event","class_code":"0102","lon":1,"lat":2,"extra":1}"#, "extra"),
            (#"[1,2]"#, "body"),
        ] {
            #expect(throws: CaseError.self, "\(text)") { try body(text) }
            do { _ = try body(text) } catch let e as CaseError {
                if case .invalid(let f, _) = e { #expect(f == field, "\(text)") } else { Issue.record("\(e)") }
            }
        }
        #expect(throws: CaseError.invalid(field: "note", reason: "void needs a note saying why")) { try CaseDesk.transition("void", body: .object([:])) }
        #expect(throws: CaseError.invalid(field: "confirmed", reason: "missing (true or false)")) { try CaseDesk.transition("verify", body: .object([:])) }
        #expect(try CaseDesk.transition("extend", body: try JSONValue(parsing: #"{"work_hours":4}"#)).workHours == 4)
    }

    @Test func referenceTablesNameTheLineAndField() throws {
        let routing = try CaseTableFile.parse(.routing, text: "kind,class_code,district_code,department_id\nevent,01,,a\nevent,0101,370303,b\n", file: "r.csv")
        guard case .routing(let rows) = routing else { Issue.record("not routing"); return }
        #expect(RoutingTable(rows).department(kind: .event, classCode: "0101", districtCode: "370303001") == "b")
        #expect(RoutingTable(rows).department(kind: .component, classCode: "0101", districtCode: "370303") == nil)
        for (kind, text, line, field) in [
            (CaseTableKind.routing, "kind,class_code,district_code,department_id\nevent,01,,a\nthing,01,,a\n", 3, "kind"),
            (.routing, "kind,class_code,district_code,department_id\nevent,01,3703,a\n", 2, "district_code"),
            (.limits, "kind,class_code,urgency,limit,unit\nevent,01,normal,0,work_days\n", 2, "limit"),
            (.limits, "kind,class_code,urgency,limit,unit\nevent,01,normal,2,days\n", 2, "unit"),
            (.limits, "kind,class_code,urgency,limit\nevent,01,normal,2\n", 1, "unit"),
            (.departments, "id,name\na,A\na,B\n", 3, "id"),
        ] {
            do {
                _ = try CaseTableFile.parse(kind, text: text, file: "t.csv")
                Issue.record("accepted: \(text)")
            } catch let e as ModelError {
                switch e {
                case .malformedRecord(let at, _), .duplicateKey(let at, _, _): #expect(at.line == line && at.field == field, "\(e)")
                default: Issue.record("\(e)")
                }
            }
        }
    }
}
