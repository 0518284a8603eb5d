import Foundation
import SpatialCore

/// Which department handles a case: rows `kind, class_code, district_code, department_id`. A row's class code is a
/// prefix (the longest matching wins); an empty district code applies everywhere and a longer matching one wins
/// over a shorter. Kinds never mix: the component and event tables share codes (`0101` is both).
public struct RoutingTable: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var kind: CaseWorkflow.Kind, classCode: String, districtCode: String, departmentID: String
        public init(kind: CaseWorkflow.Kind, classCode: String, districtCode: String = "", departmentID: String) {
            self.kind = kind
            self.classCode = classCode
            self.districtCode = districtCode
            self.departmentID = departmentID
        }
    }

    public var rows: [Row]
    public init(_ rows: [Row]) { self.rows = rows }

    /// The department of a case of `kind` and `classCode` at `districtCode`: among the rows of that kind whose class
    /// code prefixes the case's and whose district code (if any) prefixes its district, the longest class code,
    /// then the longest district code, then the first row. Nil when no row matches.
    public func department(kind: CaseWorkflow.Kind, classCode: String, districtCode: String?) -> String? {
        var best: (classLength: Int, districtLength: Int, id: String)?
        for r in rows where r.kind == kind && classCode.hasPrefix(r.classCode) {
            if !r.districtCode.isEmpty, districtCode?.hasPrefix(r.districtCode) != true { continue }
            let key = (r.classCode.count, r.districtCode.count)
            if best == nil || key > (best!.classLength, best!.districtLength) { best = (key.0, key.1, r.departmentID) }
        }
        return best?.id
    }
}

/// Handling limits: rows `kind, class_code, urgency, limit, unit` (`work_hours` or `work_days`). The class code is a
/// prefix, the longest matching wins; kinds never mix.
public struct LimitTable: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var kind: CaseWorkflow.Kind, classCode: String, urgency: CaseWorkflow.Urgency, limit: WorkLimit
        public init(kind: CaseWorkflow.Kind, classCode: String, urgency: CaseWorkflow.Urgency, limit: WorkLimit) {
            self.kind = kind
            self.classCode = classCode
            self.urgency = urgency
            self.limit = limit
        }
    }

    public var rows: [Row]
    public init(_ rows: [Row]) { self.rows = rows }

    /// The limit of a case, nil when no row matches.
    public func limit(kind: CaseWorkflow.Kind, classCode: String, urgency: CaseWorkflow.Urgency) -> WorkLimit? {
        rows.filter { $0.kind == kind && $0.urgency == urgency && classCode.hasPrefix($0.classCode) }
            .max { $0.classCode.count < $1.classCode.count }?.limit
    }
}

/// A reference table read from its CSV file (a header, columns in any order, extra columns allowed):
/// - `departments`: `id,name`;
/// - `routing`: `kind,class_code,district_code,department_id` (`kind` component|event; an empty class code or district
///   code applies to all);
/// - `limits`: `kind,class_code,urgency,limit,unit` (`urgency` normal|urgent, `unit` work_hours|work_days);
/// - `holidays`: the calendar format of `HolidayCalendar` (`date,kind` with `holiday|makeup_workday`).
public enum CaseTableFile: Sendable {
    case departments([(id: String, name: String)])
    case routing([RoutingTable.Row])
    case limits([LimitTable.Row])
    case holidays(HolidayCalendar)

    public var kind: CaseTableKind {
        switch self {
        case .departments: .departments
        case .routing: .routing
        case .limits: .limits
        case .holidays: .holidays
        }
    }

    public var count: Int {
        switch self {
        case .departments(let d): d.count
        case .routing(let r): r.count
        case .limits(let l): l.count
        case .holidays(let h): h.holidays.count + h.workingDays.count
        }
    }

    /// Reads and checks `path`. - Throws: `ModelError` naming the file, the line and the field.
    public static func read(_ kind: CaseTableKind, path: String) throws -> CaseTableFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelError.unreadableFile(path: path, reason: "no such file or not readable") }
        guard let text = String(data: data, encoding: .utf8) else { throw ModelError.unreadableFile(path: path, reason: "not UTF-8") }
        return try parse(kind, text: text, file: path)
    }

    public static func parse(_ kind: CaseTableKind, text: String, file: String) throws -> CaseTableFile {
        if kind == .holidays {
            do { return .holidays(try HolidayCalendar(csv: text)) } catch { throw ModelError.malformedRecord(.init(file: file), reason: "\(error)") }
        }
        let records: [CSVText.Record]
        do { records = try CSVText.records(text) } catch {
            throw ModelError.malformedRecord(.init(file: file, line: error.line), reason: error.reason)
        }
        let needed: [String] = switch kind {
        case .departments: ["id", "name"]
        case .routing: ["kind", "class_code", "district_code", "department_id"]
        case .limits: ["kind", "class_code", "urgency", "limit", "unit"]
        case .holidays: []
        }
        guard let header = records.first else { throw ModelError.malformedRecord(.init(file: file), reason: "empty: a header \(needed.joined(separator: ",")) and rows expected") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var column: [String: Int] = [:]
        for n in needed {
            guard let i = names.firstIndex(of: n) else {
                throw ModelError.malformedRecord(.init(file: file, line: header.line, field: n), reason: "the header lacks column '\(n)' (needs \(needed.joined(separator: ",")))")
            }
            column[n] = i
        }
        func value(_ r: CSVText.Record, _ n: String) throws -> String {
            let i = column[n]!
            guard i < r.fields.count else {
                throw ModelError.malformedRecord(.init(file: file, line: r.line, field: n), reason: "\(r.fields.count) fields, the header has \(names.count)")
            }
            return r.fields[i].trimmingCharacters(in: .whitespaces)
        }
        func bad(_ r: CSVText.Record, _ n: String, _ reason: String) -> ModelError { .malformedRecord(.init(file: file, line: r.line, field: n), reason: reason) }
        func digits(_ s: String) -> Bool { s.allSatisfy { $0.isASCII && $0.isNumber } }
        func kindOf(_ r: CSVText.Record) throws -> CaseWorkflow.Kind {
            let k = try value(r, "kind")
            guard let kind = CaseWorkflow.Kind(rawValue: k) else { throw bad(r, "kind", "'\(k)' is not component or event") }
            return kind
        }
        func classCode(_ r: CSVText.Record) throws -> String {
            let c = try value(r, "class_code")
            guard c.count <= 12, digits(c) else { throw bad(r, "class_code", "'\(c)' is not a class code (digits, or empty for every class)") }
            return c
        }
        let rows = records.dropFirst()
        switch kind {
        case .departments:
            var seen: [String: Int] = [:]
            var out: [(id: String, name: String)] = []
            for r in rows {
                let id = try value(r, "id"), name = try value(r, "name")
                guard !id.isEmpty else { throw bad(r, "id", "empty") }
                guard !name.isEmpty else { throw bad(r, "name", "empty") }
                if let first = seen[id] { throw ModelError.duplicateKey(.init(file: file, line: r.line, field: "id"), key: id, firstLine: first) }
                seen[id] = r.line
                out.append((id, name))
            }
            return .departments(out)
        case .routing:
            return .routing(try rows.map { r in
                let district = try value(r, "district_code"), department = try value(r, "department_id")
                guard [0, 6, 9, 12].contains(district.count), digits(district) else {
                    throw bad(r, "district_code", "'\(district)' is not a district, street or community code (6, 9 or 12 digits, or empty for everywhere)")
                }
                guard !department.isEmpty else { throw bad(r, "department_id", "empty") }
                return RoutingTable.Row(kind: try kindOf(r), classCode: try classCode(r), districtCode: district, departmentID: department)
            })
        case .limits:
            return .limits(try rows.map { r in
                let u = try value(r, "urgency"), l = try value(r, "limit"), unit = try value(r, "unit")
                guard let urgency = CaseWorkflow.Urgency(rawValue: u) else { throw bad(r, "urgency", "'\(u)' is not normal or urgent") }
                guard let n = Double(l), n.isFinite, n > 0 else { throw bad(r, "limit", "'\(l)' is not a positive number") }
                let limit: WorkLimit
                switch unit {
                case "work_hours": limit = .workHours(n)
                case "work_days": limit = .workDays(n)
                default: throw bad(r, "unit", "'\(unit)' is not work_hours or work_days")
                }
                return LimitTable.Row(kind: try kindOf(r), classCode: try classCode(r), urgency: urgency, limit: limit)
            })
        case .holidays:
            preconditionFailure("read above")
        }
    }
}
