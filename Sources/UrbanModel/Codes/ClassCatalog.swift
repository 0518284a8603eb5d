/// The class codes a city loaded (its `components.csv` and `events.csv`, kept in the database's `class_codes`),
/// looked up by (kind, code): the two GB/T 30428.2 tables number their classes independently, so `0101` is both
/// 上水井盖 (a component) and 私搭乱建 (an event), and a code alone does not name a class.
public struct ClassCatalog: Sendable, Hashable {
    /// One stored class: its kind, code and Chinese name.
    public struct Entry: Sendable, Hashable {
        public var kind: CaseWorkflow.Kind
        public var code: String
        public var nameZH: String
        public init(kind: CaseWorkflow.Kind, code: String, nameZH: String) {
            self.kind = kind
            self.code = code
            self.nameZH = nameZH
        }
    }

    private var names: [CaseWorkflow.Kind: [String: String]] = [:]

    public init(_ entries: [Entry] = []) {
        for e in entries { names[e.kind, default: [:]][e.code] = e.nameZH }
    }

    /// Both tables as loaded from files.
    public init(components: ClassCodeTable, events: ClassCodeTable) {
        self.init(
            (components.majorClasses + components.minorClasses).map { Entry(kind: .component, code: $0.code, nameZH: $0.nameZH) }
                + (events.majorClasses + events.minorClasses).map { Entry(kind: .event, code: $0.code, nameZH: $0.nameZH) })
    }

    /// No class loaded: classes are then not checked, and kinds are not inferred.
    public var isEmpty: Bool { names.values.allSatisfy(\.isEmpty) }

    /// The Chinese name of the class `code` in the table of `kind`; nil when that table lacks it.
    public func name(kind: CaseWorkflow.Kind, code: String) -> String? { names[kind]?[code] }

    /// Whether the table of `kind` has `code`.
    public func contains(kind: CaseWorkflow.Kind, code: String) -> Bool { name(kind: kind, code: code) != nil }

    /// The kinds whose table has `code`, component first: none, one (the kind is known from the code), or both
    /// (ambiguous: the kind must be given).
    public func kinds(of code: String) -> [CaseWorkflow.Kind] {
        CaseWorkflow.Kind.allCases.filter { contains(kind: $0, code: code) }
    }

    /// The kind a hazard's class is of, when the file gives none: `component` when it carries a component ID
    /// (部件标识码: only components have one), else the one table that has the code.
    /// - Returns: the kind, or the reason it cannot be told (for the error naming the feature's field).
    public func inferKind(code: String, hasComponentID: Bool) -> Result<CaseWorkflow.Kind, InferenceFailure> {
        if hasComponentID { return .success(.component) }
        let kinds = kinds(of: code)
        switch kinds.count {
        case 1: return .success(kinds[0])
        case 0: return .failure(.unknown)
        default:
            return .failure(.ambiguous(component: name(kind: .component, code: code) ?? "", event: name(kind: .event, code: code) ?? ""))
        }
    }

    public enum InferenceFailure: Error, Sendable, Hashable {
        /// Neither table has the code.
        case unknown
        /// Both tables have it, under these names.
        case ambiguous(component: String, event: String)
    }
}

extension CaseWorkflow.Kind {
    /// A kind as written: `component`/`event` or 部件/事件 (spaces around ignored, Latin names in any case); nil otherwise.
    public init?(text: String) {
        switch text.trimmingSpaces.lowercased() {
        case "component", "部件": self = .component
        case "event", "事件": self = .event
        default: return nil
        }
    }

    /// The Chinese name: 部件 or 事件.
    public var nameZH: String { self == .component ? "部件" : "事件" }
}
