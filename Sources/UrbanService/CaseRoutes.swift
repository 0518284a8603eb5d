import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SpatialCore
import UrbanModel

/// The case loop's shared state: the writers (with `--enable-cases`), and the reference tables and clock, read from
/// the database and kept `lifetime` seconds (a table loaded with `urbangrid import` meanwhile is used from then on).
final class CaseDeskState: @unchecked Sendable {  // `cached` under `lock`
    static let lifetime: TimeInterval = 10
    let writers: WriterPool?
    private let lock = NSLock()
    private var cached: (tables: CaseTables, context: CaseContext, until: Date)?

    init(writers: WriterPool?) { self.writers = writers }

    func context(_ pool: DatabasePool, timeLimit: Duration) async throws -> (tables: CaseTables, context: CaseContext) {
        let now = Date()
        if let c = lock.withLock({ cached }), c.until > now { return (c.tables, c.context) }
        let loaded = try await pool.read(timeLimit: timeLimit) { store -> CaseStateBox in
            guard let cases = store as? any CaseStore else { throw ServiceError.notFound("this database keeps no cases") }
            let (tables, context) = try CaseDesk.context(cases)
            return CaseStateBox(tables: tables, context: context)
        }
        lock.withLock { cached = (loaded.tables, loaded.context, now.addingTimeInterval(Self.lifetime)) }
        return (loaded.tables, loaded.context)
    }
}

private struct CaseStateBox: Sendable {
    let tables: CaseTables
    let context: CaseContext
}

extension CaseError {
    /// The HTTP answer: 404 unknown case, 403 a role or scope that may not act, 409 a status that does not allow the
    /// action, 412 a stale `If-Match`, 422 a reused `Idempotency-Key` with another body, 400 a bad field.
    var serviceError: ServiceError {
        switch self {
        case .notFound: ServiceError(.notFound, code: "NotFound", description)
        case .refused(.forbidden): ServiceError(.forbidden, code: "Forbidden", description)
        case .refused(.illegal): ServiceError(.conflict, code: "Conflict", description)
        case .staleVersion: ServiceError(.preconditionFailed, code: "PreconditionFailed", description)
        case .idempotencyMismatch: ServiceError(.unprocessableContent, code: "IdempotencyKeyReused", description)
        case .invalid(let field, let reason): .badParameter(field, reason)
        }
    }
}

extension UrbanGridService {
    /// `POST /cases`, `POST /cases/{id}/{action}`, `GET /cases`, `GET /cases/{id}`, `GET /assessment` and
    /// `POST /hazards/{id}/status`. The writes exist with `--enable-cases`; every route needs a user.
    func addCaseRoutes(to router: Router<ServiceRequestContext>) {
        let limit = configuration.requestTimeLimit
        let (pool, queries, state) = (self.pool, self.queries, self.caseDesk)

        /// Reads on the writers' connections when there are replicas (a case just written is read back at once),
        /// else on the read pool.
        @Sendable func read<T: Sendable>(_ body: @escaping @Sendable (any CaseStore) throws -> T) async throws -> T {
            let run: @Sendable (any CityStore) throws -> T = { store in
                guard let cases = store as? any CaseStore else { throw ServiceError.notFound("this database keeps no cases") }
                return try body(cases)
            }
            if nodes.hasReplicas, let writers = state.writers { return try await writers.write(timeLimit: limit, run) }
            return try await pool.read(timeLimit: limit, run)
        }

        @Sendable func caseResponse(_ c: CaseRecord, clock: WorkClock, status: HTTPResponse.Status = .ok) throws -> Response {
            var r = try Self.json(c.json(now: Date(), clock: clock))
            r.status = status
            r.headers[.eTag] = "\"\(c.version)\""
            return r
        }

        @Sendable func scoped(_ c: CaseRecord, _ actor: CaseWorkflow.Actor) throws {
            guard CaseWorkflow.inScope(actor, districtCode: c.place.adminCode) else {
                throw ServiceError(.forbidden, code: "Forbidden", "\(actor.name) is limited to \(actor.district ?? "") and case \(c.id) lies in \(c.place.adminCode ?? "no district")")
            }
            if actor.role == .department, c.departmentID != actor.departmentID {
                throw ServiceError(.forbidden, code: "Forbidden", "case \(c.id) is not with department \(actor.departmentID ?? "")")
            }
        }

        router.get("/cases") { request, context -> Response in
            let actor = try context.actor()
            let q = Self.parameters(request)
            try q.check(route: "/cases")
            let geojson = try q.format(["json", "geojson"]) == "geojson"
            let (_, caseContext) = try await state.context(pool, timeLimit: limit)
            let filter = try Self.mapped {
                try CaseQuery.filter(status: q.get("status"), district: q.get("district"), grid: q.get("grid"), department: q.get("department"),
                                     timeState: q.get("time_state"), from: q.get("from"), to: q.get("to"),
                                     limit: q.get("limit") == nil ? 100 : try q.integer("limit"), offset: q.get("offset") == nil ? 0 : try q.integer("offset"),
                                     zone: caseContext.clock.timeZone, scope: actor)
            }
            let now = Date()
            let cases = try await read { try $0.cases(filter, now: now) }
            if geojson { return try Self.json(CaseQuery.featureCollection(cases, now: now, clock: caseContext.clock), type: "application/geo+json") }
            return try Self.json(.array(cases.map { $0.json(now: now, clock: caseContext.clock, withEvents: false) }))
        }

        router.get("/cases/:id") { request, context -> Response in
            let actor = try context.actor()
            try Self.parameters(request).check(route: "/cases/{id}")
            let id = try context.parameters.require("id")
            let (_, caseContext) = try await state.context(pool, timeLimit: limit)
            guard let c = try await read({ try $0.caseRecord(id: id) }) else { throw CaseError.notFound(id).serviceError }
            try scoped(c, actor)
            return try caseResponse(c, clock: caseContext.clock)
        }

        router.get("/assessment") { request, context -> Response in
            let actor = try context.actor()
            let q = Self.parameters(request)
            try q.check(route: "/assessment")
            let csv = try q.format(["json", "csv"]) == "csv"
            let zone = try await state.context(pool, timeLimit: limit).context.clock.timeZone
            let assessment = try Self.mapped { try CaseQuery.assessment(by: try q.text("by"), from: try q.text("from"), to: try q.text("to"), zone: zone, scope: actor) }
            let rows = try await read { try $0.assessment(assessment) }
            if csv { return Self.bytes(Array((CaseQuery.assessmentCSV(rows).joined(separator: "\n") + "\n").utf8), type: "text/csv; charset=utf-8") }
            return try Self.json(.array(rows.map(\.json)))
        }

        guard let writers = state.writers else { return }

        router.post("/cases") { request, context -> Response in
            let actor = try context.actor()
            guard [.supervisor, .operator, .admin].contains(actor.role) else {
                throw ServiceError(.forbidden, code: "Forbidden", "role \(actor.role.rawValue) may not report cases (supervisor or operator)")
            }
            try Self.parameters(request).check(route: "/cases")
            let body = try await Self.body(request, context)
            var hazard: HazardFacts?
            if let id = CaseDesk.hazardID(body) {  // a report for a hazard: its point and class unless the body gives them
                hazard = try await pool.read(timeLimit: limit) { store in try HazardFacts.read(id, from: store) }
            }
            let report = try Self.mapped { [hazard] in try CaseDesk.report(body, hazard: hazard) }
            let claim = try Self.idempotencyKey(request).map { IdempotencyClaim(key: "\(actor.name)\u{1F}\($0)", bodyHash: IdempotencyClaim.hash(report.hashParts)) }
            let (tables, caseContext) = try await state.context(pool, timeLimit: limit)
            let place = try await queries.query(timeLimit: limit) { w in CasePlace(try w.lookup.lookup(lon: report.lon, lat: report.lat)) }
            let draft = try Self.mapped { try CaseDesk.draft(report, by: actor, at: Date(), place: place, tables: tables) }
            let clock = caseContext.clock
            let outcome = try await writers.write(timeLimit: limit) { store -> ReportOutcome in
                guard let cases = store as? any CaseStore else { throw ServiceError.notFound("this database keeps no cases") }
                return try Self.mapped { try cases.reportCase(draft, claim: claim) { $0.json(now: Date(), clock: clock).jsonText } }
            }
            var response: Response
            switch outcome {
            case .created(let c, let text):
                response = Self.bytes(Array(text.utf8), type: "application/json")
                response.headers[.location] = "/cases/\(c.id)"
                response.headers[.eTag] = "\"\(c.version)\""
            case .replayed(let text):
                response = Self.bytes(Array(text.utf8), type: "application/json")
                response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            }
            response.status = .created
            return response
        }

        router.post("/cases/:id/:action") { request, context -> Response in
            let actor = try context.actor()
            try Self.parameters(request).check(route: "/cases/{id}/{action}")
            let id = try context.parameters.require("id"), name = try context.parameters.require("action")
            let body = try await Self.body(request, context, emptyIs: .object([:]))
            let parsed = try Self.mapped { try CaseDesk.transition(name, body: body) }
            let expected = try Self.ifMatch(request)
            let (tables, caseContext) = try await state.context(pool, timeLimit: limit)
            try Self.mapped { try CaseDesk.checkDepartment(parsed.departmentID, tables: tables) }
            let t = CaseTransition(action: parsed.action, actor: actor, at: Date(), note: parsed.note, departmentID: parsed.departmentID,
                                   workHours: parsed.workHours, expectedVersion: expected, atIsNow: true)
            let c = try await writers.write(timeLimit: limit) { store -> CaseRecord in
                guard let cases = store as? any CaseStore else { throw ServiceError.notFound("this database keeps no cases") }
                return try Self.mapped { try cases.transitionCase(id: id, t, context: caseContext) }
            }
            if c.deadlineProvisional, [.dispatch, .extend, .unpark].contains(parsed.action) {
                context.logger.warning("case \(c.id): the deadline runs past the calendar's last year (weekdays counted there): provisional until next year's holidays are loaded")
            }
            return try caseResponse(c, clock: caseContext.clock)
        }

        router.post("/hazards/:id/status") { request, context -> Response in
            let actor = try context.actor()
            guard [.department, .supervisor, .admin].contains(actor.role) else {
                throw ServiceError(.forbidden, code: "Forbidden", "role \(actor.role.rawValue) may not change a hazard's status (department or supervisor)")
            }
            try Self.parameters(request).check(route: "/hazards/{id}/status")
            let id = try context.parameters.require("id")
            guard case .object(let o) = try await Self.body(request, context) else { throw ServiceError.badParameter("body", "a JSON object expected") }
            if let extra = o.members.first(where: { !["status", "note"].contains($0.key) }) {
                throw ServiceError.badParameter(extra.key, "unknown field (known: note, status)")
            }
            guard let status = o["status"]?.stringValue else { throw ServiceError.badParameter("status", "missing (open or resolved)") }
            let note: String?
            switch o["note"] {
            case .string(let s)?: note = try Self.mapped { try CaseDesk.description(s, field: "note") }
            case nil, .null?: note = nil
            default: throw ServiceError.badParameter("note", "a string expected")
            }
            let event = try await writers.write(timeLimit: limit) { store -> HazardStatusEvent in
                guard let hazards = store as? any HazardStatusStore else { throw ServiceError.notFound("this database keeps no hazard history") }
                do {
                    return try hazards.setHazardStatus(id: id, to: status, at: Date(), note: note, by: actor.name)
                } catch ModelError.invalidArgument(let name, let reason) where name == "id" {
                    throw ServiceError.notFound(reason)
                }
            }
            return try Self.json(event.json)
        }
    }

    /// Runs `body`, answering a `CaseError` with its status.
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as CaseError { throw e.serviceError }
    }

    /// The request's JSON body (`emptyIs` when there is none). - Throws: 400 for a body that is too large, not UTF-8,
    /// not JSON or nested too deeply.
    static func body(_ request: Request, _ context: ServiceRequestContext, emptyIs empty: JSONValue? = nil) async throws -> JSONValue {
        var body = request.body
        let buffer: ByteBuffer
        do { buffer = try await body.collect(upTo: context.maxUploadSize) } catch {
            throw ServiceError.badParameter("body", "larger than \(context.maxUploadSize) bytes")
        }
        if buffer.readableBytes == 0, let empty { return empty }
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) else {
            throw ServiceError.badParameter("body", "not UTF-8")
        }
        do { return try JSONValue(parsing: text) } catch { throw ServiceError.badParameter("body", "not JSON: \(error)") }
    }

    /// `Idempotency-Key`: 1 to 200 visible ASCII characters.
    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return nil }
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw ServiceError.badParameter("Idempotency-Key", "1 to 200 visible ASCII characters")
        }
        return key
    }

    /// `If-Match: "N"` (or `W/"N"`, or `N`): the version the client last saw; `*` or none: any.
    static func ifMatch(_ request: Request) throws -> Int? {
        guard let value = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), value != "*" else { return nil }
        var v = Substring(value)
        if v.hasPrefix("W/") { v = v.dropFirst(2) }
        if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = v.dropFirst().dropLast() }
        guard let n = Int(v), n >= 1 else { throw ServiceError.badParameter("If-Match", "'\(value.prefix(40))' is not a case version (\"3\")") }
        return n
    }
}
