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
            if s == "open" {
                f.openOnly = true
            } else {
                guard let v = CaseWorkflow.Status(rawValue: s) else {
                    throw .invalid(field: "status", reason: "'\(s)' is not open or one of \(CaseWorkflow.Status.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                f.status = v
            }
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

    /// Reads and checks every order. - Throws: `ModelError.malformedRecord` naming the file, the line (CSV) or feature
    /// (GeoJSON) and the field; a repeated order id too. CSV fields are read as text (a class code keeps its zeros).
    /// - Parameter classes: the city's class codes; a class its kind's table lacks is refused at its line and field
    ///   (`CaseDesk.checkClass`; nothing checked when empty).
    public static func read(_ path: String, crs: CRS?, source: CaseWorkflow.Source, zone: TimeZone, classes: ClassCatalog = ClassCatalog()) throws -> [Order] {
        var orders: [Order] = []
        var seen: [String: Int] = [:]
        /// One order from its fields (`value(name)` nil when absent or empty); `at(field)` says where.
        func order(_ value: (String) throws -> String?, lon: Double?, lat: Double?, crs: CRS?, at: (String) -> ModelError.Location) throws {
            func required(_ k: String) throws -> String {
                guard let v = try value(k) else { throw ModelError.malformedRecord(at(k), reason: "missing") }
                return v
            }
            func checked<T>(_ field: String, _ body: () throws(CaseError) -> T) throws -> T {
                do { return try body() } catch {
                    if case .invalid(_, let reason) = error { throw ModelError.malformedRecord(at(field), reason: reason) }
                    throw ModelError.malformedRecord(at(field), reason: error.description)
                }
            }
            let id = try required("id")
            if let first = seen[id] { throw ModelError.duplicateKey(at("id"), key: id, firstLine: first) }
            seen[id] = at("id").line ?? orders.count
            let reportedText = try required("reported_at")
            guard let reportedAt = ISOTime.date(reportedText, in: zone) else {
                throw ModelError.malformedRecord(at("reported_at"), reason: "'\(reportedText)' is not an ISO 8601 time")
            }
            let kindText = try required("kind"), classText = try required("class_code")
            let kind = try checked("kind") { () throws(CaseError) in try CaseDesk.kind(kindText) }
            let classCode = try checked("class_code") { () throws(CaseError) in
                let code = try CaseDesk.classCode(classText)
                try CaseDesk.checkClass(kind: kind, code: code, in: classes)
                return code
            }
            let urgencyText = try value("urgency")
            let urgency = try checked("urgency") { () throws(CaseError) in try urgencyText.map { (u: String) throws(CaseError) in try CaseDesk.urgency(u) } ?? .normal }
            let descriptionText = try value("description")
            let description = try checked("description") { () throws(CaseError) in try CaseDesk.description(descriptionText) }
            guard let lon, let lat else { throw ModelError.malformedRecord(at("lon"), reason: "lon and lat (numbers) expected") }
            let spot = try checked("lon") { () throws(CaseError) in try CaseDesk.spot(lon: lon, lat: lat, crs: crs?.definition) }
            orders.append(Order(report: CaseReport(source: source, kind: kind, classCode: classCode, urgency: urgency, description: description,
                                                   lon: spot.lon, lat: spot.lat, externalID: id), reportedAt: reportedAt))
        }
        if path.lowercased().hasSuffix(".csv") {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ModelError.unreadableFile(path: path, reason: "missing, unreadable or not UTF-8")
            }
            let records: [CSVText.Record]
            do { records = try CSVText.records(text) } catch { throw ModelError.malformedRecord(.init(file: path, line: error.line), reason: error.reason) }
            guard let header = records.first else { throw ModelError.malformedRecord(.init(file: path), reason: "empty") }
            let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            for n in ["id", "reported_at", "class_code", "kind", "lon", "lat"] where !names.contains(n) {
                throw ModelError.malformedRecord(.init(file: path, line: header.line, field: n), reason: "the header lacks column '\(n)'")
            }
            for r in records.dropFirst() {
                func value(_ k: String) throws -> String? {
                    guard let i = names.firstIndex(of: k) else { return nil }
                    guard i < r.fields.count else {
                        throw ModelError.malformedRecord(.init(file: path, line: r.line, field: k), reason: "\(r.fields.count) fields, the header has \(names.count)")
                    }
                    let v = r.fields[i].trimmingCharacters(in: .whitespaces)
                    return v.isEmpty ? nil : v
                }
                func number(_ k: String) throws -> Double? {
                    guard let t = try value(k) else { return nil }
                    guard let d = Double(t), d.isFinite else { throw ModelError.malformedRecord(.init(file: path, line: r.line, field: k), reason: "'\(t)' is not a number") }
                    return d
                }
                try order(value, lon: try number("lon"), lat: try number("lat"), crs: crs) { .init(file: path, line: r.line, field: $0) }
            }
        } else {
            // GeoJSON points (in `crs`: converted by the reader); properties as text
            _ = try FeatureFile.forEach(path, options: .init(crs: crs, requireGeometry: true)) { feature in
                let n = orders.count
                func at(_ field: String) -> ModelError.Location { .init(file: "\(path) feature \(n)", field: field) }
                func value(_ k: String) throws -> String? {
                    let v: JSONValue? = k == "id" ? feature.id.map { .string($0.description) } ?? feature.properties?[k] : feature.properties?[k]
                    switch v {
                    case .string(let s)?: return s.isEmpty ? nil : s
                    case nil, .null?: return nil
                    default: throw ModelError.malformedRecord(at(k), reason: "a string expected (class codes keep their leading zeros as text)")
                    }
                }
                guard case .point(let point)? = feature.geometry else { throw ModelError.malformedRecord(at("geometry"), reason: "a point (lon, lat) expected") }
                try order(value, lon: point.x, lat: point.y, crs: nil, at: at)  // the reader converted the point to WGS84
            }
        }
        guard !orders.isEmpty else { throw ModelError.malformedRecord(.init(file: path), reason: "no work orders") }
        return orders
    }
}
