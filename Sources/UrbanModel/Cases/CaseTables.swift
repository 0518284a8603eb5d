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
