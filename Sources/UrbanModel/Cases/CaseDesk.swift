public import Foundation
public import SpatialCore

/// A report as it comes in (`POST /cases`, `case report`, a row of `case import`), checked, with its spot in WGS84.
public struct CaseReport: Sendable, Hashable {
    public var source: CaseWorkflow.Source
    public var kind: CaseWorkflow.Kind
    public var classCode: String
    public var urgency: CaseWorkflow.Urgency
    public var description: String?
    public var lon: Double, lat: Double
    /// A work order's own number (12345 imports).
    public var externalID: String?
    /// The hazard the report is about (its point and class when the report gives none).
    public var hazardID: String?

    public init(source: CaseWorkflow.Source, kind: CaseWorkflow.Kind, classCode: String, urgency: CaseWorkflow.Urgency = .normal,
                description: String? = nil, lon: Double, lat: Double, externalID: String? = nil, hazardID: String? = nil) {
        self.hazardID = hazardID
        self.source = source
        self.kind = kind
        self.classCode = classCode
        self.urgency = urgency
        self.description = description
        self.lon = lon
        self.lat = lat
        self.externalID = externalID
    }

    /// The canonical parts an `Idempotency-Key` is checked against.
    public var hashParts: [String] {
        [source.rawValue, kind.rawValue, classCode, urgency.rawValue, description ?? "", String(lon), String(lat), externalID ?? "", hazardID ?? ""]
    }
}

/// The case loop's requests: the checks of what users send (HTTP bodies and CLI options alike), routing a report
/// to its place and department, and the transitions' parameters. Errors name the field (`CaseError.invalid`).
public enum CaseDesk {
    /// Longest description kept (characters).
    public static let maximumDescription = 2000

    /// A source, kind or urgency, as written (`kind` also accepts 部件/事件).
    public static func source(_ text: String, field: String = "source") throws(CaseError) -> CaseWorkflow.Source {
        guard let s = CaseWorkflow.Source(rawValue: text) else {
            throw .invalid(field: field, reason: "'\(text)' is not one of \(CaseWorkflow.Source.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return s
    }

    public static func kind(_ text: String, field: String = "kind") throws(CaseError) -> CaseWorkflow.Kind {
        switch text {
        case "component", "部件": return .component
        case "event", "事件": return .event
        default: throw .invalid(field: field, reason: "'\(text)' is not component (部件) or event (事件)")
        }
    }

    /// An urgency as written: `normal`/`urgent`, or a grade of `SeverityGrade`'s table (a number 1–4 or its name:
    /// 一般/low and 较大/medium are normal, 重大/high and 紧急/urgent urgent).
    public static func urgency(_ text: String, field: String = "urgency") throws(CaseError) -> CaseWorkflow.Urgency {
        if let u = CaseWorkflow.Urgency(rawValue: text.trimmingSpaces.lowercased()) { return u }
        guard let grade = SeverityGrade(text: text) else {
            throw .invalid(field: field, reason: "'\(text)' is not an urgency: normal or urgent, or a grade \(SeverityGrade.accepted) (1–2 normal, 3–4 urgent)")
        }
        return grade.urgency
    }

    /// A class code of 2 to 12 digits (major class, minor class, …), of the kind's own table.
    public static func classCode(_ text: String, field: String = "class_code") throws(CaseError) -> String {
        guard (2...12).contains(text.utf8.count), text.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .invalid(field: field, reason: "'\(text)' is not a class code (2 to 12 digits, e.g. 0101)")
        }
        return text
    }

    public static func description(_ text: String?, field: String = "description") throws(CaseError) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard text.count <= maximumDescription else { throw .invalid(field: field, reason: "longer than \(maximumDescription) characters") }
        guard !text.unicodeScalars.contains(where: { $0.value < 32 && $0 != "\n" && $0 != "\t" && $0 != "\r" }) else {
            throw .invalid(field: field, reason: "contains control characters")
        }
        return text
    }

    /// A spot in `crs` (WGS84 when nil; `GCJ02`, `BD09` or any CRS text) as WGS84, checked.
    public static func spot(lon: Double, lat: Double, crs: String?) throws(CaseError) -> (lon: Double, lat: Double) {
        guard lon.isFinite, lat.isFinite else { throw .invalid(field: "lon", reason: "lon and lat must be finite numbers") }
        var c = Coordinate(lon, lat)
        if let crs {
            do { c = try CoordinateTransform(from: try CRS(crs), to: .wgs84).apply(c) } catch {
                throw .invalid(field: "crs", reason: "\(error)")
            }
        }
        guard (-180...180).contains(c.x) else { throw .invalid(field: "lon", reason: "\(c.x) is outside -180…180 (is lon/lat swapped, or is the CRS another?)") }
        guard (-90...90).contains(c.y) else { throw .invalid(field: "lat", reason: "\(c.y) is outside -90…90 (is lon/lat swapped?)") }
        return (c.x, c.y)
    }

    /// The hazard id a `POST /cases` body names (`hazard_id`), so the caller can read the hazard first.
    public static func hazardID(_ body: JSONValue) -> String? { body["hazard_id"]?.stringValue }

    /// The body of `POST /cases`: `{source, kind, class_code, urgency?, description?, lon, lat, crs?, hazard_id?}`,
    /// nothing else. With `hazard` (read for the body's `hazard_id`), `kind`, `class_code`, `lon` and `lat` may be left
    /// out: the hazard's kind (component when it has none), class and point are taken.
    public static func report(_ body: JSONValue, hazard: HazardFacts? = nil) throws(CaseError) -> CaseReport {
        guard case .object(let o) = body else { throw .invalid(field: "body", reason: "a JSON object expected") }
        let known: Set<String> = ["source", "kind", "class_code", "urgency", "description", "lon", "lat", "crs", "hazard_id"]
        if let extra = o.members.first(where: { !known.contains($0.key) }) {
            throw .invalid(field: extra.key, reason: "unknown field (known: \(known.sorted().joined(separator: ", ")))")
        }
        func text(_ k: String, required: Bool = true) throws(CaseError) -> String? {
            switch o[k] {
            case .string(let s)?: return s
            case nil, .null?: if required { throw .invalid(field: k, reason: "missing") } else { return nil }
            default: throw .invalid(field: k, reason: "a string expected")
            }
        }
        func number(_ k: String) throws(CaseError) -> Double? {
            guard let v = o[k], !v.isNull else {
                if hazard == nil { throw .invalid(field: k, reason: "missing") }
                return nil
            }
            guard let d = v.doubleValue else { throw .invalid(field: k, reason: "a number expected") }
            return d
        }
        if let id = try text("hazard_id", required: false), hazard?.id != id {
            throw .invalid(field: "hazard_id", reason: "no hazard with id '\(id)'")
        }
        let lon = try number("lon"), lat = try number("lat")
        guard (lon == nil) == (lat == nil) else { throw .invalid(field: lon == nil ? "lon" : "lat", reason: "give lon and lat together") }
        let place = try lon.map { (x: Double) throws(CaseError) in try spot(lon: x, lat: lat!, crs: try text("crs", required: false)) }
            ?? (hazard!.lon, hazard!.lat)
        let kindText = try text("kind", required: hazard == nil), classText = try text("class_code", required: hazard == nil)
        return CaseReport(source: try source(try text("source")!), kind: try kindText.map { (k: String) throws(CaseError) in try kind(k) } ?? hazard?.kind ?? .component,
                          classCode: try classCode(classText ?? hazard!.classCode),
                          urgency: try text("urgency", required: false).map { (u: String) throws(CaseError) in try urgency(u) } ?? .normal,
                          description: try description(try text("description", required: false)), lon: place.0, lat: place.1,
                          hazardID: hazard?.id)
    }

    /// The parameters of a transition's body (an empty body is `{}`): `confirmed` (verify), `passed` (check) and
    /// `work_hours` (extend) are required, `note` for void and return; `department_id` may name a dispatch's department.
    public static func transition(_ name: String, body: JSONValue) throws(CaseError) -> (action: CaseWorkflow.Action, note: String?, departmentID: String?, workHours: Double?) {
        guard case .object(let o) = body else { throw .invalid(field: "body", reason: "a JSON object expected") }
        var known: Set<String> = ["note"]
        func bool(_ k: String) throws(CaseError) -> Bool {
            guard let v = o[k] else { throw .invalid(field: k, reason: "missing (true or false)") }
            guard let b = v.boolValue else { throw .invalid(field: k, reason: "true or false expected") }
            return b
        }
        let action: CaseWorkflow.Action
        switch name {
        case "verify": known.insert("confirmed"); action = .verify(confirmed: try bool("confirmed"))
        case "check": known.insert("passed"); action = .check(passed: try bool("passed"))
        case "file": action = .file
        case "void": action = .void
        case "dispatch": known.insert("department_id"); action = .dispatch
        case "return": action = .return
        case "handle": action = .handle
        case "park": action = .park
        case "unpark": action = .unpark
        case "extend": known.insert("work_hours"); action = .extend
        default: throw .invalid(field: "action", reason: "'\(name)' is not a case action")
        }
        if let extra = o.members.first(where: { !known.contains($0.key) }) {
            throw .invalid(field: extra.key, reason: "unknown field for \(name) (known: \(known.sorted().joined(separator: ", ")))")
        }
        var note: String?
        switch o["note"] {
        case .string(let s)?: note = try description(s, field: "note")
        case nil, .null?: note = nil
        default: throw .invalid(field: "note", reason: "a string expected")
        }
        if note == nil, name == "void" || name == "return" { throw .invalid(field: "note", reason: "\(name) needs a note saying why") }
        var department: String?
        switch o["department_id"] {
        case .string(let s)? where !s.isEmpty: department = s
        case nil, .null?: department = nil
        default: throw .invalid(field: "department_id", reason: "a department id (string) expected")
        }
        var hours: Double?
        if name == "extend" {
            guard let h = o["work_hours"]?.doubleValue else { throw .invalid(field: "work_hours", reason: "missing (a positive number of working hours)") }
            guard h.isFinite, h > 0, h <= 10_000 else { throw .invalid(field: "work_hours", reason: "an extension is a positive number of working hours (at most 10000)") }
            hours = h
        }
        return (action, note, department, hours)
    }

    /// The stored form of a report by `actor` at `at`, at `place`, routed by `tables`, with its class name.
    /// - Throws: `CaseError.refused` for a role that may not report; `CaseError.invalid` (field `class_code`) for a
    ///   class its kind's table lacks, when the city loaded tables (a case's class is the pair (kind, code)).
    public static func draft(_ r: CaseReport, by actor: CaseWorkflow.Actor, at: Date, place: CasePlace, tables: CaseTables) throws(CaseError) -> CaseDraft {
        try checkClass(kind: r.kind, code: r.classCode, in: tables.classes)
        let status: CaseWorkflow.Status
        do { status = try CaseWorkflow.report(source: r.source, by: actor) } catch { throw .refused(error) }
        var draft = CaseDraft(externalID: r.externalID, source: r.source, kind: r.kind, classCode: r.classCode, urgency: r.urgency, description: r.description,
                              lon: r.lon, lat: r.lat, place: place, hazardID: r.hazardID,
                              routedDepartmentID: tables.routing.department(kind: r.kind, classCode: r.classCode, districtCode: place.adminCode),
                              reportedBy: actor.name, reportedAt: at, status: status)
        draft.className = tables.classes.name(kind: r.kind, code: r.classCode)
        return draft
    }

    /// A class code must be in the table of its kind (when tables are loaded): 0101 is a component (上水井盖) and an
    /// event (私搭乱建); 0601 is only a component, so `event 0601` is refused.
    public static func checkClass(kind: CaseWorkflow.Kind, code: String, in classes: ClassCatalog, field: String = "class_code") throws(CaseError) {
        guard !classes.isEmpty, !classes.contains(kind: kind, code: code) else { return }
        let other = classes.kinds(of: code).first.map { " (it is \($0 == .component ? "a component" : "an event") class, \(classes.name(kind: $0, code: code)!): is kind wrong?)" } ?? ""
        throw .invalid(field: field, reason: "'\(code)' is not in the \(kind.rawValue) (\(kind.nameZH)) table of this city\(other)")
    }

    /// Checks a transition's department against the departments table (when one is loaded).
    public static func checkDepartment(_ id: String?, tables: CaseTables) throws(CaseError) {
        if let id, !tables.isDepartment(id) {
            throw .invalid(field: "department_id", reason: "'\(id)' is not a department (\(tables.departments.map(\.id).joined(separator: ", ")))")
        }
    }
}

/// What a case needs of a hazard it is reported for: its id, point (WGS84), kind and class code, and status.
public struct HazardFacts: Sendable, Hashable {
    public var id: String
    public var lon: Double, lat: Double
    /// component or event (nil when the hazard's kind is not known).
    public var kind: CaseWorkflow.Kind?
    public var classCode: String
    public var status: String?

    public init(id: String, lon: Double, lat: Double, kind: CaseWorkflow.Kind? = nil, classCode: String, status: String?) {
        self.id = id
        self.lon = lon
        self.lat = lat
        self.kind = kind
        self.classCode = classCode
        self.status = status
    }

    /// The hazard `id` of `store`; nil when there is none.
    public static func read(_ id: String, from store: any CityStore) throws -> HazardFacts? {
        guard let r = try store.features(LayerRequest(.hazards, [.column("kind"), .column("class_code"), .column("status"), .pointOnSurface],
                                                      where: [.equals("id", .text(id))])).first,
              let x = r["x"]?.double, let y = r["y"]?.double else { return nil }
        return HazardFacts(id: id, lon: x, lat: y, kind: r["kind"]?.string.flatMap(CaseWorkflow.Kind.init(rawValue:)),
                           classCode: r["class_code"]?.string ?? "", status: r["status"]?.string)
    }
}

extension CaseDesk {
    /// The reference tables of `store` and the context its transitions run in: the limits and routing loaded, the
    /// city's working hours (`init --work-hours`), the built-in calendar with the loaded holiday rows, the city's zone.
    public static func context(_ store: any CaseStore) throws -> (tables: CaseTables, context: CaseContext) {
        var tables = try store.caseTables()
        tables.classes = try store.classCatalog()
        let schedule = try (store as? any WorkScheduleStore)?.workSchedule ?? .standard
        let clock = WorkClock(schedule: schedule, calendar: tables.calendar, timeZone: try store.cityTimeZone)
        return (tables, CaseContext(limits: tables.limits, routing: tables.routing, clock: clock))
    }

    /// The active user named `name`, as the CLI's `--as` names it. - Throws: `CaseError.invalid` (field `as`) for an
    /// unknown or revoked user.
    public static func actor(named name: String, in store: any UserStore) throws -> CaseWorkflow.Actor {
        guard let user = try store.users().first(where: { $0.name == name }) else {
            throw CaseError.invalid(field: "as", reason: "no user named '\(name)' (urbangrid users add)")
        }
        guard user.revokedAt == nil else { throw CaseError.invalid(field: "as", reason: "user '\(name)' was revoked at \(user.revokedAt!)") }
        return user.actor
    }
}
