import Foundation
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanStore

/// The case loop's storage on both engines: a scripted set of cases gives the same records, lists and assessment on
/// each, the assessment equals a recomputation from the script itself, refusals change nothing, idempotency keys
/// return the first answer, and concurrent transitions of one case never both land.
@Suite(.serialized) struct CaseStoreTests {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!
    static func t(_ s: String) -> Date { ISOTime.date(s, in: zone)! }
    static let limits = LimitTable([
        .init(kind: .event, classCode: "", urgency: .normal, limit: .workDays(2)),
        .init(kind: .component, classCode: "", urgency: .normal, limit: .workHours(4)),
    ])
    static let context = CaseContext(limits: limits, routing: RoutingTable([]), clock: WorkClock(timeZone: zone))
    static let sup = CaseWorkflow.Actor(name: "sup", role: .supervisor)
    static let sup2 = CaseWorkflow.Actor(name: "sup2", role: .supervisor)
    static let lead = CaseWorkflow.Actor(name: "lead", role: .shiftLeader)
    static let disp = CaseWorkflow.Actor(name: "disp", role: .dispatcher)
    static let san = CaseWorkflow.Actor(name: "san", role: .department, departmentID: "sanitation")
    static let water = CaseWorkflow.Actor(name: "wat", role: .department, departmentID: "water")

    func city(_ engine: Engine) throws -> (FreshLocation, any CaseStore) {
        let fresh = try FreshLocation(engine)
        let db = try City.create(fresh.location, timeZone: "Asia/Shanghai")
        return (fresh, try #require(db as? any CaseStore))
    }

    static func draft(_ n: Int, kind: CaseWorkflow.Kind = .event, grid: String, by: CaseWorkflow.Actor = sup, department: String = "sanitation",
                      at: String, source: CaseWorkflow.Source = .supervisor) -> CaseDraft {
        CaseDraft(externalID: nil, source: source, kind: kind, classCode: kind == .event ? "0102" : "0101", urgency: .normal, description: "case \(n)",
                  lon: 118 + Double(n) / 1000, lat: 36.8, place: CasePlace(gridCode: grid, communityCode: String(grid.prefix(12)),
                                                                            streetCode: String(grid.prefix(9)), districtCode: String(grid.prefix(6))),
                  routedDepartmentID: department, reportedBy: by.name, reportedAt: t(at), status: source == .supervisor ? .reported : .verifying)
    }

    /// One step of the script: the case (by its position), the action, who, when.
    typealias Step = (n: Int, action: CaseWorkflow.Action, actor: CaseWorkflow.Actor, at: String)

    /// Eight cases in two grids of two streets, through every path of the table, in the week of 2026-11-30.
    static let drafts: [CaseDraft] = [
        draft(0, grid: "370303001001001", at: "2026-11-30T09:00"),
        draft(1, grid: "370303001001001", at: "2026-11-30T09:10"),
        draft(2, kind: .component, grid: "370303001001001", department: "water", at: "2026-11-30T09:20"),
        draft(3, grid: "370303002001001", by: sup2, at: "2026-11-30T09:30"),
        draft(4, grid: "370303002001001", by: sup2, at: "2026-12-01T09:00"),
        draft(5, grid: "370303002001001", at: "2026-12-01T10:00", source: .hotline),
        draft(6, kind: .component, grid: "370303002001001", department: "water", at: "2026-12-02T09:00"),
        draft(7, grid: "370303001001001", at: "2026-12-08T09:00"),
    ]
    static let script: [Step] = [
        // 0: filed, dispatched Mon 10:00 (2 days = 14 h → Wed 10:00), handled and closed on time
        (0, .file, lead, "2026-11-30T09:05"), (0, .dispatch, disp, "2026-11-30T10:00"), (0, .handle, san, "2026-12-01T11:00"),
        (0, .check(passed: true), sup, "2026-12-01T15:00"),
        // 1: dispatched Mon 10:00, handled late, rework, closed late (due Wed 10:00)
        (1, .file, lead, "2026-11-30T09:15"), (1, .dispatch, disp, "2026-11-30T10:00"), (1, .handle, san, "2026-12-02T11:00"),
        (1, .check(passed: false), sup, "2026-12-02T14:30"), (1, .handle, san, "2026-12-03T09:00"), (1, .check(passed: true), sup, "2026-12-03T10:00"),
        // 2: component 4 h from Mon 10:00 → Mon 16:00; extended 2 h → Tue 09:00 (1.5 h to 17:30, 0.5 h from 08:30); handled in
        // time, closed after the extended deadline
        (2, .file, lead, "2026-11-30T09:25"), (2, .dispatch, disp, "2026-11-30T10:00"), (2, .extend, lead, "2026-11-30T11:00"),
        (2, .handle, water, "2026-11-30T17:00"), (2, .check(passed: true), sup, "2026-12-01T09:30"),
        // 3: dispatched, parked and still parked (never due)
        (3, .file, lead, "2026-11-30T09:35"), (3, .dispatch, disp, "2026-11-30T10:00"), (3, .park, lead, "2026-11-30T11:00"),
        // 4: dispatched Tue 09:30 → Thu 09:30; still open (due, not closed)
        (4, .file, lead, "2026-12-01T09:10"), (4, .dispatch, disp, "2026-12-01T09:30"),
        // 5: hotline: verified, filed, voided
        (5, .verify(confirmed: true), sup, "2026-12-01T11:00"), (5, .file, lead, "2026-12-01T11:10"), (5, .void, lead, "2026-12-01T11:20"),
        // 6: dispatched to water, returned (no clock), re-dispatched Wed 14:00 → 4 h → Thu 09:00 (14–17:30 3.5 h, 08:30 + 0.5)
        (6, .file, lead, "2026-12-02T09:05"), (6, .dispatch, disp, "2026-12-02T09:10"), (6, .return, water, "2026-12-02T09:20"),
        (6, .dispatch, disp, "2026-12-02T14:00"), (6, .handle, water, "2026-12-03T08:45"), (6, .check(passed: true), sup, "2026-12-03T09:30"),
        // 7: reported after the period
    ]

    /// Runs the script; returns the case ids in draft order.
    func run(_ db: any CaseStore) throws -> [String] {
        let ids = try Self.drafts.map { d -> String in
            guard case .created(let c, _) = try db.reportCase(d, claim: nil, render: { _ in "" }) else { throw CaseError.notFound("?") }
            return c.id
        }
        for s in Self.script {
            let n = s.action == .return || s.action == .void ? "why" : nil
            _ = try db.transitionCase(id: ids[s.n], .init(action: s.action, actor: s.actor, at: Self.t(s.at), note: n, workHours: s.action == .extend ? 2 : nil),
                                  context: Self.context)
        }
        return ids
    }

    /// What the assessment by grid over [2026-11-30, 2026-12-07) must be, worked out from the script above.
    static let expectedByGrid: [String: [Int]] = [
        // reported, filed, dispatched, due, closed, closed on time, handled on time, rework, extended
        "370303001001001": [3, 3, 3, 3, 3, 1, 2, 1, 1],  // 0 on time; 1 late + rework; 2 handled in time, closed late, extended
        "370303002001001": [4, 4, 3, 2, 1, 0, 1, 0, 0],  // 3 parked (not due), 4 due open, 5 voided (no dispatch), 6 closed late, handled in time
    ]

    @Test(arguments: Engine.allCases)
    func scriptedWeekOnEachEngine(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        let ids = try run(db)
        #expect(ids[0] == "E20261130000001" && ids[2] == "C20261130000003" && ids[7] == "E20261208000008")
        let c1 = try #require(try db.caseRecord(id: ids[1]))
        #expect(c1.status == .closed && c1.reworkCount == 1 && c1.version == 7 && c1.deadline == Self.t("2026-12-02T10:00"))
        #expect(c1.events.map(\.action) == ["report", "file", "dispatch", "handle", "check", "handle", "check"])
        #expect(c1.events.map(\.by) == ["sup", "lead", "disp", "san", "sup", "san", "sup"])
        let c2 = try #require(try db.caseRecord(id: ids[2]))
        #expect(c2.deadline == Self.t("2026-12-01T09:00") && c2.extensionHours == 2 && c2.events[3].workHours == 2)
        let c6 = try #require(try db.caseRecord(id: ids[6]))
        #expect(c6.deadline == Self.t("2026-12-03T09:00") && c6.events[2].departmentID == "water" && c6.events[3].note == "why")
        let rows = try db.assessment(AssessmentRequest(grouping: .grid, from: Self.t("2026-11-30"), to: Self.t("2026-12-07")))
        #expect(rows.map(\.key) == ["370303001001001", "370303002001001"])
        for r in rows { #expect(r.counts == Self.expectedByGrid[r.key ?? ""], "\(r.key ?? "")") }
        #expect(rows[0].closureRate == 1 && rows[0].onTimeClosureRate == 1.0 / 3 && rows[1].reworkRate == 0)
        // by supervisor: the cases each reported (the hotline case is the operator's channel, left out)
        let bySupervisor = try db.assessment(AssessmentRequest(grouping: .supervisor, from: Self.t("2026-11-30"), to: Self.t("2026-12-07")))
        #expect(bySupervisor.map { [$0.key ?? "", String($0.reported), String($0.due)] } == [["sup", "4", "4"], ["sup2", "2", "1"]])
        // lists: newest first, filters, scopes
        let now = Self.t("2026-12-04T12:00")
        #expect(try db.cases(CaseFilter(), now: now).map(\.id) == ids.reversed())
        #expect(try db.cases(CaseFilter(status: .closed), now: now).map(\.id) == [ids[6], ids[2], ids[1], ids[0]])
        #expect(try db.cases(CaseFilter(district: "370303002"), now: now).map(\.id) == [ids[6], ids[5], ids[4], ids[3]])
        #expect(try db.cases(CaseFilter(timeState: .red), now: now).map(\.id) == [ids[6], ids[4], ids[2], ids[1]])
        #expect(try db.cases(CaseFilter(limit: 2, offset: 1, scope: Self.water), now: now).map(\.id) == [ids[2]])
        #expect(try db.cases(CaseFilter(from: Self.t("2026-12-01"), to: Self.t("2026-12-02")), now: now).map(\.id) == [ids[5], ids[4]])
    }

    /// A SpatiaLite table whose case numbers span 200,000 or more is assessed in two halves on two connections: with the
    /// script's even cases renumbered past 300,000 (their events with them), the halves hold cases of both grids and
    /// the answer is still the one worked out by hand.
    @Test func aBigTableAssessedInTwoHalvesGivesTheHandSolvedAnswer() throws {
        let (fresh, db) = try city(.spatiaLite)
        defer { fresh.remove() }
        _ = try run(db)
        let store = try #require(db as? UrbanDatabase).store
        try store.execute("PRAGMA foreign_keys = OFF")
        for sql in ["UPDATE case_events SET case_pk = case_pk + 300000 WHERE case_pk % 2 = 0", "UPDATE cases SET pk = pk + 300000 WHERE pk % 2 = 0"] {
            try store.execute(sql)
        }
        #expect(try store.query("SELECT max(pk) - min(pk) FROM cases")[0].values[0].int ?? 0 >= 200_000)
        let rows = try db.assessment(AssessmentRequest(grouping: .grid, from: Self.t("2026-11-30"), to: Self.t("2026-12-07")))
        #expect(rows.map(\.key) == ["370303001001001", "370303002001001"])
        for r in rows { #expect(r.counts == Self.expectedByGrid[r.key ?? ""], "\(r.key ?? "")") }
    }

    /// Both engines keep the same cases: every record of the script, as JSON, read at one instant.
    @Test func bothEnginesKeepTheSameCases() throws {
        var answers: [[String]] = []
        for engine in Engine.allCases {
            let (fresh, db) = try city(engine)
            defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
            let ids = try run(db)
            answers.append(try ids.map { try #require(try db.caseRecord(id: $0)).json(now: Self.t("2026-12-04T12:00"), clock: Self.context.clock).jsonText })
        }
        #expect(answers[0] == answers[1])
    }

    /// `copy` carries the case loop both ways: records, histories, keys and reference tables; the copy goes on numbering.
    @Test func copyCarriesTheCasesBetweenEngines() throws {
        let (a, db) = try city(.spatiaLite)
        defer { a.remove() }
        let ids = try run(db)
        _ = try db.replaceCaseTable(.departments([("sanitation", "环卫"), ("water", "水务")]), schedule: .standard)
        _ = try db.reportCase(Self.draft(20, grid: "370303001001001", at: "2026-12-09T09:00"), claim: IdempotencyClaim(key: "u\u{1F}k", bodyHash: "h"),
                              render: { "first \($0.id)" })
        let pg = try FreshLocation(.postGIS), back = try FreshLocation(.spatiaLite)
        defer { pg.remove(); back.remove() }
        try CityCopy.copy(from: a.location, to: pg.location)
        try CityCopy.copy(from: pg.location, to: back.location)
        let now = Self.t("2026-12-04T12:00")
        func snapshot(_ location: DatabaseLocation) throws -> [String] {
            let store = try #require(try City.open(location) as? any CaseStore)
            defer { (store as? PostGISDatabase)?.close() }
            return try ids.map { try #require(try store.caseRecord(id: $0)).json(now: now, clock: Self.context.clock).jsonText }
                + [try store.caseTables().departments.map(\.id).joined(separator: ","),
                   "\(try store.assessment(AssessmentRequest(grouping: .grid, from: Self.t("2026-11-30"), to: Self.t("2026-12-07"))).map(\.counts))"]
        }
        let original = try snapshot(a.location)
        #expect(try snapshot(pg.location) == original)
        #expect(try snapshot(back.location) == original)
        let copied = try #require(try City.open(pg.location) as? any CaseStore)
        defer { (copied as? PostGISDatabase)?.close() }
        #expect(try copied.reportCase(Self.draft(20, grid: "370303001001001", at: "2026-12-09T09:00"), claim: IdempotencyClaim(key: "u\u{1F}k", bodyHash: "h"),
                                      render: { _ in "" }) == .replayed(response: "first E20261209000009"))
        guard case .created(let next, _) = try copied.reportCase(Self.draft(21, grid: "370303001001001", at: "2026-12-09T10:00"), claim: nil, render: { _ in "" }) else { return }
        #expect(next.id == "E20261209000010")
    }

    @Test(arguments: Engine.allCases)
    func refusalsChangeNothing(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        guard case .created(let c, _) = try db.reportCase(Self.draft(0, grid: "370303001001001", at: "2026-11-30T09:00"), claim: nil, render: { _ in "" }) else { return }
        let before = try #require(try db.caseRecord(id: c.id))
        let attempts: [(CaseTransition, CaseError)] = [
            (.init(action: .dispatch, actor: Self.disp, at: Self.t("2026-11-30T10:00")), .refused(.illegal("dispatch is not possible for a case that is reported"))),
            (.init(action: .file, actor: Self.sup, at: Self.t("2026-11-30T10:00")), .refused(.forbidden("file is for role shift_leader, not supervisor"))),
            (.init(action: .file, actor: Self.lead, at: Self.t("2026-11-30T10:00"), expectedVersion: 2), .staleVersion(id: c.id, expected: 2, actual: 1)),
        ]
        for (t, e) in attempts { #expect(throws: e) { try db.transitionCase(id: c.id, t, context: Self.context) } }
        #expect(throws: CaseError.notFound("E1")) { try db.transitionCase(id: "E1", attempts[0].0, context: Self.context) }
        #expect(try db.caseRecord(id: c.id) == before)
        // a batch with one stored work order stores nothing
        var orders = [Self.draft(1, grid: "370303001001001", at: "2026-11-30T09:00", source: .hotline), Self.draft(2, grid: "370303001001001", at: "2026-11-30T09:00", source: .hotline)]
        orders[0].externalID = "W-1"
        orders[1].externalID = "W-2"
        _ = try db.reportCases([orders[0]])
        #expect(throws: CaseError.invalid(field: "id", reason: "work order 'W-1' is stored already")) { try db.reportCases([orders[1], orders[0]]) }
        #expect(try db.cases(CaseFilter(), now: Date()).count == 2)
    }

    @Test(arguments: Engine.allCases)
    func idempotencyKeysReturnTheFirstAnswer(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        let d = Self.draft(0, grid: "370303001001001", at: "2026-11-30T09:00")
        let claim = IdempotencyClaim(key: "sup\u{1F}k-1", bodyHash: "h1")
        guard case .created(let first, let text) = try db.reportCase(d, claim: claim, render: { "answer \($0.id)" }) else { Issue.record("not created"); return }
        #expect(text == "answer \(first.id)")
        #expect(try db.reportCase(d, claim: claim, render: { _ in "other" }) == .replayed(response: "answer \(first.id)"))
        #expect(throws: CaseError.idempotencyMismatch("k-1")) { try db.reportCase(d, claim: IdempotencyClaim(key: "sup\u{1F}k-1", bodyHash: "h2"), render: { _ in "" }) }
        // the same client key of another user is another key
        guard case .created = try db.reportCase(d, claim: IdempotencyClaim(key: "op\u{1F}k-1", bodyHash: "h1"), render: { _ in "" }) else { Issue.record("not created"); return }
        #expect(try db.cases(CaseFilter(), now: Date()).count == 2)
    }

    /// Two connections dispatch the same filed case at once, with the same If-Match, forty times: each time exactly
    /// one lands, and the history holds one dispatch per case. Two connections report with one key at once: one case.
    @Test(arguments: Engine.allCases)
    func concurrentTransitionsOfOneCase(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        let a = try #require(try City.open(fresh.location) as? any CaseStore)
        let b = try #require(try City.open(fresh.location) as? any CaseStore)
        defer { (a as? PostGISDatabase)?.close(); (b as? PostGISDatabase)?.close() }
        nonisolated(unsafe) let writers = [a, b]  // each used by one thread
        let lock = NSLock()
        for round in 0..<40 {
            guard case .created(let c, _) = try db.reportCase(Self.draft(round, grid: "370303001001001", at: "2026-11-30T09:00"), claim: nil, render: { _ in "" }) else { return }
            _ = try db.transitionCase(id: c.id, .init(action: .file, actor: Self.lead, at: Self.t("2026-11-30T09:05")), context: Self.context)
            nonisolated(unsafe) var landed = 0
            DispatchQueue.concurrentPerform(iterations: 2) { w in
                let t = CaseTransition(action: .dispatch, actor: Self.disp, at: Self.t("2026-11-30T10:00"), expectedVersion: round % 2 == 0 ? 2 : nil)
                if (try? writers[w].transitionCase(id: c.id, t, context: Self.context)) != nil { lock.withLock { landed += 1 } }
            }
            #expect(landed == 1, "round \(round)")
            #expect(try db.caseRecord(id: c.id)?.events.filter { $0.action == "dispatch" }.count == 1)
        }
        nonisolated(unsafe) var outcomes: [ReportOutcome] = []
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            let r = try? writers[w].reportCase(Self.draft(99, grid: "370303001001001", at: "2026-11-30T09:00"), claim: IdempotencyClaim(key: "k", bodyHash: "h"),
                                               render: { "first \($0.id)" })
            lock.withLock { if let r { outcomes.append(r) } }
        }
        #expect(outcomes.count == 2 && Set(outcomes.map { o -> String in
            switch o { case .created(_, let t), .replayed(let t): t }
        }).count == 1)
        #expect(try db.cases(CaseFilter(limit: 1000), now: Date()).count == 41)
    }

    @Test(arguments: Engine.allCases)
    func loadingNextYearsHolidaysRecomputesProvisionalDeadlines(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        let five = CaseContext(limits: LimitTable([.init(kind: .event, classCode: "", urgency: .normal, limit: .workDays(5))]), routing: .init([]),
                               clock: Self.context.clock)
        guard case .created(let c, _) = try db.reportCase(Self.draft(0, grid: "370303001001001", at: "2026-12-28T08:00"), claim: nil, render: { _ in "" }) else { return }
        _ = try db.transitionCase(id: c.id, .init(action: .file, actor: Self.lead, at: Self.t("2026-12-28T08:30")), context: five)
        let d = try db.transitionCase(id: c.id, .init(action: .dispatch, actor: Self.disp, at: Self.t("2026-12-28T09:00")), context: five)
        #expect(d.deadline == Self.t("2027-01-04T09:00") && d.deadlineProvisional)
        let next = try HolidayCalendar(csv: "date,kind\n2027-01-01,holiday\n2027-01-02,holiday\n2027-01-03,holiday\n")
        let (rows, recomputed) = try db.replaceCaseTable(.holidays(next), schedule: .standard)
        #expect(rows == 3 && recomputed == 1)
        let after = try #require(try db.caseRecord(id: c.id))
        #expect(after.deadline == Self.t("2027-01-05T09:00") && !after.deadlineProvisional)
        #expect(try db.caseTables().calendar.isPublicHoliday(LocalDate("2027-01-01")!))
    }
}

/// The answer's stand-in id replaced by the real one: the same text as Foundation's `replacingOccurrences`.
@Suite struct ReplacingAllTests {
    @Test func sameAsFoundation() {
        let cases: [(String, String, String)] = [
            (#"{"id":"E20261208a1b2","events":[{"note":"E20261208a1b2 井盖"}]}"#, "E20261208a1b2", "E20261208000042"),
            ("aaa", "aa", "b"), ("", "x", "y"), ("x", "xx", "y"), ("井盖井盖", "盖", "gai"), ("abcabc", "abc", ""), ("no match", "zz", "q"),
        ]
        for (s, t, r) in cases { #expect(s.replacingAll(t, with: r) == s.replacingOccurrences(of: t, with: r), "\(s)") }
    }
}
