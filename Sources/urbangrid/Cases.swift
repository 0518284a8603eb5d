import ArgumentParser
import CommandSupport
import Foundation
import Logging
import SpatialCore
import UrbanModel
import UrbanStore

/// `urbangrid case …`: the 数字城管 loop from the command line, acting as a named user (`--as`), the same rules and
/// storage as `POST /cases…`.
struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Cases: report, verify, file (立案), void, dispatch, return, handle, check (核查), park/unpark (挂账), extend (延期), show, list, import.",
        discussion: """
            Every action is taken as a user of the database (--as NAME, see 'urbangrid users'), with that user's role and \
            scope, and is recorded in the case's history. Statuses: verifying → reported → filed → dispatched → handled → \
            closed (or voided; a failed check is rework, back to dispatched). The clock starts at dispatch and counts \
            working hours only (init --work-hours, the official holiday calendar).
            """,
        subcommands: [Report.self, Verify.self, File.self, Void.self, Dispatch.self, Return.self, Handle.self, Check.self, Park.self, Unpark.self,
                      Extend.self, Show.self, List.self, Import.self])

    static func open(_ city: CityArgument, readOnly: Bool) throws -> any CaseStore & UserStore {
        let store = try city.open(readOnly: readOnly)
        guard let cases = store as? any CaseStore & UserStore else { throw CLIError.badInput("\(store.displayName) keeps no cases") }
        return cases
    }

    /// `--at T` as an instant (local time of the city when it has no offset); now when nil.
    static func instant(_ text: String?, zone: TimeZone, field: String = "at") throws -> Date {
        guard let text else { return Date() }
        guard let d = ISOTime.date(text, in: zone) else { throw CLIError.badInput("--\(field) '\(text)': not an ISO 8601 time (2026-12-07T09:30)") }
        return d
    }

    static func printCase(_ c: CaseRecord, clock: WorkClock, format: OutputFormat, now: Date = Date()) {
        var out = StandardOutput()
        switch format {
        case .json: out.line(c.json(now: now, clock: clock).jsonText)
        case .table:
            let zone = clock.timeZone
            func t(_ d: Date?) -> String { d.map { ISOTime.string($0, in: zone) } ?? "" }
            let used = c.workSecondsUsed(now: now, clock: clock).map { NumberText.format($0 / 3600, precision: 2) + " h" } ?? ""
            let limit = c.limitSeconds.map { NumberText.format($0 / 3600 + c.extensionHours, precision: 2) + " h" } ?? ""
            let rows: [[String]] = [
                ["status", "\(c.status.rawValue) (version \(c.version))"], ["source", c.source.rawValue],
                ["class", "\(c.kind.rawValue) \(c.classCode)\(c.className.map { " " + $0 } ?? "") (\(c.urgency.rawValue))"], ["description", c.description ?? ""],
                ["spot", "\(NumberText.format(c.lon, precision: 7)),\(NumberText.format(c.lat, precision: 7))"],
                ["grid", [c.place.gridCode, c.place.communityCode, c.place.streetCode, c.place.districtCode].map { $0 ?? "-" }.joined(separator: " / ")],
                ["chief", c.place.chief ?? ""], ["segment", c.place.segmentID ?? ""],
                ["department", c.departmentID ?? ""], ["reported", "\(t(c.reportedAt)) by \(c.reportedBy)"], ["dispatched", t(c.dispatchedAt)],
                ["deadline", c.status == .parked ? "(parked)" : t(c.deadline) + (c.deadlineProvisional ? " (provisional)" : "")],
                ["working time", used.isEmpty ? "" : "\(used) of \(limit)"], ["time state", c.timeState(now: now)?.rawValue ?? ""],
                ["rework", String(c.reworkCount)],
            ]
            for l in TextTable.lines(["case", c.id], rows) { out.line(l) }
            if !c.events.isEmpty {
                out.line("")
                let events = c.events.map { e in [t(e.at), e.action, e.from?.rawValue ?? "", e.to.rawValue, e.by, e.note ?? ""] }
                for l in TextTable.lines(["at", "action", "from", "to", "by", "note"], events) { out.line(l) }
            }
        }
        out.flush()
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report a problem (POST /cases): routed to its grid, chief and department; a supervisor's report is reported, any other source verifying.")
        @OptionGroup var city: CityArgument
        @Option(help: "supervisor, hotline, public, video or leader.") var source: String = "supervisor"
        @Option(help: "component (部件) or event (事件) (default with --hazard: component).") var kind: String?
        @Option(name: .customLong("class"), help: ArgumentHelp("The class code of the kind's table (e.g. 0101; default with --hazard: the hazard's).", valueName: "CODE")) var classCode: String?
        @Option(help: "normal or urgent, or a grade: 1–4, 一般/low, 较大/medium (normal), 重大/high, 紧急/urgent (urgent).") var urgency: String = "normal"
        @Option(help: "What is wrong.") var description: String?
        @Option(help: "Longitude (default with --hazard: the hazard's).") var lon: Double?
        @Option(help: "Latitude.") var lat: Double?
        @Option(help: ArgumentHelp("The hazard the report is about: its point and class unless given; closing the case resolves it.", valueName: "ID")) var hazard: String?
        @OptionGroup var inputCRS: InputCRSOption
        @Option(name: .customLong("as"), help: ArgumentHelp("The user who reports (supervisor or operator).", valueName: "NAME")) var user: String
        @Option(help: ArgumentHelp("When it was reported (default now).", valueName: "TIME")) var at: String?
        @OptionGroup var output: FormatOption

        func run() throws {
            let store = try CaseCommand.open(city, readOnly: false)
            let actor = try CaseDesk.actor(named: user, in: store)
            let (tables, context) = try CaseDesk.context(store)
            var body: JSONObject = ["source": .string(source), "urgency": .string(urgency)]
            if let kind { body["kind"] = .string(kind) }
            if let classCode { body["class_code"] = .string(classCode) }
            if let description { body["description"] = .string(description) }
            if let lon { body["lon"] = .number(lon) }
            if let lat { body["lat"] = .number(lat) }
            if let crs = inputCRS.crs { body["crs"] = .string(crs) }
            var facts: HazardFacts?
            if let hazard {
                body["hazard_id"] = .string(hazard)
                facts = try HazardFacts.read(hazard, from: store)
            }
            // the options as the body of POST /cases: one check of what a report needs
            let report = try CaseDesk.report(.object(body), hazard: facts)
            let place = CasePlace(try Lookups.forSpots(1, store: store, frame: try CityFrame(store)).lookup(lon: report.lon, lat: report.lat))
            let draft = try CaseDesk.draft(report, by: actor, at: try CaseCommand.instant(at, zone: context.clock.timeZone), place: place, tables: tables)
            guard case .created(let c, _) = try store.reportCase(draft, claim: nil, render: { _ in "" }) else { return }
            CaseCommand.printCase(c, clock: context.clock, format: output.format)
        }
    }

    /// What every transition command takes.
    struct TransitionOptions: ParsableArguments {
        @OptionGroup var city: CityArgument
        @Argument(help: "The case id.") var id: String
        @Option(name: .customLong("as"), help: ArgumentHelp("The user who acts.", valueName: "NAME")) var user: String
        @Option(help: "A note for the history.") var note: String?
        @Option(help: ArgumentHelp("When it happened (default now; not before the case's last event).", valueName: "TIME")) var at: String?
        @Option(help: ArgumentHelp("Act only if the case is at this version (as HTTP If-Match).", valueName: "N")) var ifVersion: Int?
        @OptionGroup var output: FormatOption

        func apply(_ action: CaseWorkflow.Action, departmentID: String? = nil, workHours: Double? = nil) throws {
            let store = try CaseCommand.open(city, readOnly: false)
            let actor = try CaseDesk.actor(named: user, in: store)
            let (tables, context) = try CaseDesk.context(store)
            try CaseDesk.checkDepartment(departmentID, tables: tables)
            if note == nil, action == .void || action == .return { throw CaseError.invalid(field: "note", reason: "\(action.name) needs --note saying why") }
            let t = CaseTransition(action: action, actor: actor, at: try CaseCommand.instant(at, zone: context.clock.timeZone),
                                   note: try CaseDesk.description(note, field: "note"), departmentID: departmentID, workHours: workHours,
                                   expectedVersion: ifVersion)
            let c = try store.transitionCase(id: id, t, context: context)
            if c.deadlineProvisional, [.dispatch, .extend, .unpark].contains(action) {
                Logger(label: "urbangrid.case").warning("case \(c.id): the deadline runs past the calendar's last year (weekdays counted there): provisional until next year's holidays are loaded")
            }
            CaseCommand.printCase(c, clock: context.clock, format: output.format)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "核实: a supervisor confirms a public or hotline report on site (verifying → reported), or not (→ voided).")
        @OptionGroup var options: TransitionOptions
        @Option(help: "true: the problem is there; false: it is not.") var confirmed: Bool
        func run() throws { try options.apply(.verify(confirmed: confirmed)) }
    }

    struct File: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "立案: the shift leader files a reported case (reported → filed).")
        @OptionGroup var options: TransitionOptions
        func run() throws { try options.apply(.file) }
    }

    struct Void: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "作废: the shift leader voids a reported or filed case (--note says why).")
        @OptionGroup var options: TransitionOptions
        func run() throws { try options.apply(.void) }
    }

    struct Dispatch: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "派遣: the dispatcher sends a filed case to a department (default: the routed one); the clock starts.")
        @OptionGroup var options: TransitionOptions
        @Option(help: ArgumentHelp("The department (default: the one the routing table named).", valueName: "ID")) var department: String?
        func run() throws { try options.apply(.dispatch, departmentID: department) }
    }

    struct Return: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "回退: the department gives a case back as not its own (dispatched → filed; --note says why).")
        @OptionGroup var options: TransitionOptions
        func run() throws { try options.apply(.return) }
    }

    struct Handle: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "处置: the department reports the problem fixed (dispatched → handled); a supervisor's check closes it.")
        @OptionGroup var options: TransitionOptions
        func run() throws { try options.apply(.handle) }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "核查: a supervisor checks on site: passed closes the case (结案), failed sends it back as rework (返工).")
        @OptionGroup var options: TransitionOptions
        @Option(help: "true: fixed, close it; false: rework.") var passed: Bool
        func run() throws { try options.apply(.check(passed: passed)) }
    }

    struct Park: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "挂账: the shift leader parks a dispatched case; its clock stops.")
        @OptionGroup var options: TransitionOptions
        func run() throws { try options.apply(.park) }
    }

    struct Unpark: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The shift leader takes a parked case back up; the deadline moves by the parked working time.")
        @OptionGroup var options: TransitionOptions
        func run() throws { try options.apply(.unpark) }
    }

    struct Extend: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "延期: the shift leader grants a dispatched case more working hours; the deadline moves.")
        @OptionGroup var options: TransitionOptions
        @Option(help: ArgumentHelp("Working hours added to the limit.", valueName: "H")) var workHours: Double
        func run() throws { try options.apply(.extend, workHours: workHours) }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A case with its clock and history.")
        @OptionGroup var city: CityArgument
        @Argument(help: "The case id.") var id: String
        @Option(help: ArgumentHelp("Read the clock at this time (default now).", valueName: "TIME")) var now: String?
        @OptionGroup var output: FormatOption

        func run() throws {
            let store = try CaseCommand.open(city, readOnly: true)
            let (_, context) = try CaseDesk.context(store)
            guard let c = try store.caseRecord(id: id) else { throw CaseError.notFound(id) }
            CaseCommand.printCase(c, clock: context.clock, format: output.format, now: try CaseCommand.instant(now, zone: context.clock.timeZone, field: "now"))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cases, newest first (GET /cases): filter by status, district, grid, department, time state, report period.")
        @OptionGroup var city: CityArgument
        @Option(help: "open (neither closed nor voided), verifying, reported, filed, dispatched, parked, handled, closed or voided.") var status: String?
        @Option(help: ArgumentHelp("Cases under this district, street or community code.", valueName: "CODE")) var district: String?
        @Option(help: ArgumentHelp("Cases in this grid.", valueName: "CODE")) var grid: String?
        @Option(help: ArgumentHelp("Cases with this department.", valueName: "ID")) var department: String?
        @Option(help: "green, yellow or red.") var timeState: String?
        @Option(help: ArgumentHelp("Reported at or after.", valueName: "TIME")) var from: String?
        @Option(help: ArgumentHelp("Reported before.", valueName: "TIME")) var to: String?
        @Option(help: "At most this many.") var limit = 100
        @Option(help: "Skip this many.") var offset = 0
        @Option(name: .customLong("as"), help: ArgumentHelp("List as this user (its district or department scope applies).", valueName: "NAME")) var user: String?
        @OptionGroup var output: QueryFormatOption

        func run() throws {
            let store = try CaseCommand.open(city, readOnly: true)
            let (_, context) = try CaseDesk.context(store)
            let zone = context.clock.timeZone
            let filter = try CaseQuery.filter(status: status, district: district, grid: grid, department: department, timeState: timeState,
                                              from: from, to: to, limit: limit, offset: offset, zone: zone,
                                              scope: try user.map { try CaseDesk.actor(named: $0, in: store) })
            let now = Date()
            let cases = try store.cases(filter, now: now)
            var out = StandardOutput()
            switch output.format {
            case .json: out.line(JSONValue.array(cases.map { $0.json(now: now, clock: context.clock, withEvents: false) }).jsonText)
            case .geojson: out.line(CaseQuery.featureCollection(cases, now: now, clock: context.clock).jsonText)
            case .table:
                let rows = cases.map { c in
                    [c.id, c.status.rawValue, "\(c.kind.rawValue) \(c.classCode)\(c.className.map { " " + $0 } ?? "")", c.place.gridCode ?? "", c.departmentID ?? "",
                     ISOTime.string(c.reportedAt, in: zone), c.status == .parked ? "" : c.deadline.map { ISOTime.string($0, in: zone) } ?? "",
                     c.timeState(now: now)?.rawValue ?? ""]
                }
                for l in TextTable.lines(["case", "status", "class", "grid", "department", "reported", "deadline", "time"], rows) { out.line(l) }
            }
            out.flush()
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a batch of 12345 work orders (CSV or GeoJSON: id,reported_at,class_code,kind,description,lon,lat); all or nothing.",
            discussion: """
                Each order becomes a case (verifying: a supervisor verifies it on site), routed like a report. Any bad row \
                rejects the file with its line or feature and field, and nothing is stored; an order id already stored is an error.
                """)
        @OptionGroup var city: CityArgument
        @Argument(help: "The CSV (lon,lat columns) or GeoJSON (Point features) file.") var file: String
        @Option(help: "The channel: hotline (12345), public, video or leader.") var source: String = "hotline"
        @OptionGroup var inputCRS: InputCRSOption
        @Option(name: .customLong("as"), help: ArgumentHelp("The operator who enters the batch.", valueName: "NAME")) var user: String
        @OptionGroup var output: FormatOption

        func run() throws {
            let store = try CaseCommand.open(city, readOnly: false)
            let actor = try CaseDesk.actor(named: user, in: store)
            let (tables, context) = try CaseDesk.context(store)
            let src = try CaseDesk.source(source, field: "--source")
            let orders = try CaseImport.read(file, crs: try inputCRS.crs.map(CRS.init), source: src, zone: context.clock.timeZone, classes: tables.classes)
            let lookup = try Lookups.forSpots(orders.count, store: store, frame: try CityFrame(store))
            let places = try lookup.lookup(orders.map { Coordinate($0.report.lon, $0.report.lat) }).map(CasePlace.init)
            let drafts = try zip(orders, places).map { o, place in
                try CaseDesk.draft(o.report, by: actor, at: o.reportedAt, place: place, tables: tables)
            }
            let stored = try store.reportCases(drafts)
            var out = StandardOutput()
            switch output.format {
            case .json: out.line(JSONValue.object(["imported": .int(Int64(stored.count)), "ids": .array(stored.map { .string($0.id) })]).jsonText)
            case .table: out.line("imported \(stored.count) work orders from \(file) as cases \(stored.first?.id ?? "")…\(stored.last?.id ?? "")")
            }
            out.flush()
        }
    }
}

/// `urbangrid assess`: the 考核 rates over a period.
struct Assess: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "考核: counts and rates per grid, street, district, department or supervisor over a period (GET /assessment).",
        discussion: """
            Rates divide by the cases due in the period (dispatched, deadline in [from, to), not parked), never by the cases \
            created: closure_rate = closed/due, on_time_closure_rate = closed_on_time/due, on_time_handling_rate = \
            handled_on_time/due, rework_rate = rework/due (empty when nothing was due). By supervisor: the cases each \
            supervisor reported.
            """)
    @OptionGroup var city: CityArgument
    @Option(help: "grid, street, district, department or supervisor.") var by: String
    @Option(help: ArgumentHelp("First day (yyyy-MM-dd, the city's local date).", valueName: "DATE")) var from: String
    @Option(help: ArgumentHelp("Day after the last (yyyy-MM-dd): the period is [from, to).", valueName: "DATE")) var to: String
    @Option(help: "table, json or csv.") var format: String = "table"

    func run() throws {
        guard ["table", "json", "csv"].contains(format) else { throw CLIError.badInput("--format '\(format)': table, json or csv") }
        let store = try CaseCommand.open(city, readOnly: true)
        let request = try CaseQuery.assessment(by: by, from: from, to: to, zone: try store.cityTimeZone)
        let rows = try store.assessment(request)
        var out = StandardOutput()
        switch format {
        case "json": out.line(JSONValue.array(rows.map(\.json)).jsonText)
        case "csv": for l in CaseQuery.assessmentCSV(rows) { out.line(l) }
        default:
            let body = rows.map { r in
                [r.key ?? "(none)"] + r.counts.map(String.init) + r.rates.map { $0.map { NumberText.format($0 * 100, precision: 1) + " %" } ?? "" }
            }
            for l in TextTable.lines(AssessmentRow.columns, body) { out.line(l) }
        }
        out.flush()
    }
}
