public import Foundation
public import SpatialCore

/// The case lists and assessments as users ask for them (query parameters, CLI options), checked, and their answers
/// as GeoJSON and CSV. Errors name the parameter (`CaseError.invalid`).
public enum CaseQuery {
    public static let maximumLimit = 10_000

    /// A list's filter from its parameters as written. Times without an offset are local times of `zone`.
    public static func filter(status: String?, district: String?, grid: String?, department: String?, timeState: String?, from: String?,
                              to: String?, limit: Int, offset: Int, zone: TimeZone, scope: CaseWorkflow.Actor?) throws(CaseError) -> CaseFilter {
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        var f = CaseFilter(limit: limit, offset: offset, scope: scope)
        if let s = nonEmpty(status) {
            guard let v = CaseWorkflow.Status(rawValue: s) else {
                throw .invalid(field: "status", reason: "'\(s)' is not one of \(CaseWorkflow.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            f.status = v
        }
        if let d = nonEmpty(district) {
            guard d.utf8.count <= 12, d.utf8.allSatisfy({ (48...57).contains($0) }) else { throw .invalid(field: "district", reason: "'\(d)' is not a code (digits)") }
            f.district = d
        }
        f.grid = nonEmpty(grid)
        f.department = nonEmpty(department)
        if let t = nonEmpty(timeState) {
            guard let v = TimeState(rawValue: t) else { throw .invalid(field: "time_state", reason: "'\(t)' is not green, yellow or red") }
            f.timeState = v
        }
        func time(_ s: String?, _ field: String) throws(CaseError) -> Date? {
            guard let s = nonEmpty(s) else { return nil }
            guard let d = ISOTime.date(s, in: zone) else { throw .invalid(field: field, reason: "'\(s)' is not an ISO 8601 date or time") }
            return d
        }
        f.from = try time(from, "from")
        f.to = try time(to, "to")
        guard (1...maximumLimit).contains(limit) else { throw .invalid(field: "limit", reason: "\(limit) is not within 1…\(maximumLimit)") }
        guard offset >= 0 else { throw .invalid(field: "offset", reason: "must not be negative") }
        return f
    }

    /// An assessment's request: the grouping and the period [from, to) of local dates.
    public static func assessment(by: String, from: String, to: String, zone: TimeZone, scope: CaseWorkflow.Actor? = nil) throws(CaseError) -> AssessmentRequest {
        guard let grouping = AssessmentGrouping(rawValue: by) else {
            throw .invalid(field: "by", reason: "'\(by)' is not one of \(AssessmentGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        func day(_ s: String, _ field: String) throws(CaseError) -> Date {
            guard LocalDate(s) != nil, let d = ISOTime.date(s, in: zone) else { throw .invalid(field: field, reason: "'\(s)' is not a date yyyy-MM-dd") }
            return d
        }
        let a = try day(from, "from"), b = try day(to, "to")
        guard a < b else { throw .invalid(field: "to", reason: "the period [from, to) is empty: to must come after from") }
        return AssessmentRequest(grouping: grouping, from: a, to: b, scope: scope)
    }

    /// Cases as a GeoJSON FeatureCollection of points, the case's members as properties (no history).
    public static func featureCollection(_ cases: [CaseRecord], now: Date, clock: WorkClock) -> JSONValue {
        .object(["type": "FeatureCollection", "features": .array(cases.map { c in
            var properties = c.json(now: now, clock: clock, withEvents: false)
            if case .object(var o) = properties {
                o["lon"] = nil
                o["lat"] = nil
                properties = .object(o)
            }
            return .object(["type": "Feature", "id": .string(c.id),
                            "geometry": .object(["type": "Point", "coordinates": .array([.number(c.lon), .number(c.lat)])]),
                            "properties": properties])
        })])
    }

    /// The rows as CSV lines with a header (rates as fractions, empty when nothing was due).
    public static func assessmentCSV(_ rows: [AssessmentRow]) -> [String] {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return [AssessmentRow.columns.joined(separator: ",")] + rows.map { r in
            ([field(r.key ?? "")] + r.counts.map(String.init) + r.rates.map { $0.map { String(($0 * 10_000).rounded() / 10_000) } ?? "" })
                .joined(separator: ",")
        }
    }
}

/// A batch of 12345 work orders (`case import`): CSV with `lon,lat` columns or GeoJSON points, each with `id`,
/// `reported_at`, `class_code`, `kind`, `description` (optional), and optionally `urgency`.
public enum CaseImport {
    public struct Order: Sendable {
        public var report: CaseReport
        public var reportedAt: Date
    }

    /// Reads and checks every order. - Throws: `ModelError.malformedRecord` naming the file, the feature (and the CSV
    /// line) and the field; a repeated order id too.
    public static func read(_ path: String, crs: CRS?, source: CaseWorkflow.Source, zone: TimeZone) throws -> [Order] {
        var orders: [Order] = []
        var seen: [String: Int] = [:]
        let csv = path.lowercased().hasSuffix(".csv")
        _ = try FeatureFile.forEach(path, options: .init(crs: crs, requireGeometry: true)) { feature in
            let n = orders.count
            let line = csv ? n + 2 : nil
            func at(_ field: String) -> ModelError.Location {
                .init(file: csv ? path : "\(path) feature \(n)", line: line, field: field)
            }
            func text(_ k: String, required: Bool = true) throws -> String? {
                let v: JSONValue? = k == "id" ? feature.id.map { .string($0.description) } ?? feature.properties?[k] : feature.properties?[k]
                switch v {
                case .string(let s)? where !s.isEmpty: return s
                case .int(let i)?: return String(i)
                case nil, .null?, .string?:
                    if required { throw ModelError.malformedRecord(at(k), reason: "missing") }
                    return nil
                default: throw ModelError.malformedRecord(at(k), reason: "a string expected")
                }
            }
            func checked<T>(_ field: String, _ body: () throws(CaseError) -> T) throws -> T {
                do { return try body() } catch {
                    if case .invalid(_, let reason) = error { throw ModelError.malformedRecord(at(field), reason: reason) }
                    throw ModelError.malformedRecord(at(field), reason: error.description)
                }
            }
            let id = try text("id")!
            if let first = seen[id] { throw ModelError.duplicateKey(at("id"), key: id, firstLine: first) }
            seen[id] = line ?? n
            let reportedText = try text("reported_at")!
            guard let reportedAt = ISOTime.date(reportedText, in: zone) else {
                throw ModelError.malformedRecord(at("reported_at"), reason: "'\(reportedText)' is not an ISO 8601 time")
            }
            guard case .point(let point)? = feature.geometry else { throw ModelError.malformedRecord(at("geometry"), reason: "a point (lon, lat) expected") }
            let kindText = try text("kind")!, classText = try text("class_code")!
            let kind = try checked("kind") { () throws(CaseError) in try CaseDesk.kind(kindText) }
            let classCode = try checked("class_code") { () throws(CaseError) in try CaseDesk.classCode(classText) }
            let urgencyText = try text("urgency", required: false)
            let urgency = try checked("urgency") { () throws(CaseError) in try urgencyText.map { (u: String) throws(CaseError) in try CaseDesk.urgency(u) } ?? .normal }
            let descriptionText = try text("description", required: false)
            let description = try checked("description") { () throws(CaseError) in try CaseDesk.description(descriptionText) }
            let spot = try checked("lon") { () throws(CaseError) in try CaseDesk.spot(lon: point.x, lat: point.y, crs: nil) }
            orders.append(Order(report: CaseReport(source: source, kind: kind, classCode: classCode, urgency: urgency, description: description,
                                                   lon: spot.lon, lat: spot.lat, externalID: id), reportedAt: reportedAt))
        }
        guard !orders.isEmpty else { throw ModelError.malformedRecord(.init(file: path), reason: "no work orders") }
        return orders
    }
}
