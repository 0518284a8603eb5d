public import Foundation
public import SpatialCore

/// A file's features made into the rows a layer stores, whichever engine stores them: every feature checked
/// (`LayerRow`: columns, types, allowed values, codes), ids unique within the file, hazard classes known to the
/// city's code tables (by kind: `classify`), and the derived columns computed (streets noded and measured, hazards snapped to the
/// streets and located in the grid cells already stored). The first bad feature throws with its index and field.
public struct LayerImport {
    /// What hazards are snapped to and located in: the stored street segments in pk order and grid cells in code order.
    public struct Existing {
        public var streets: [(id: String, geometry: Geometry)] = []
        public var grids: [(code: String, geometry: Geometry)] = []
        public init() {}
    }

    public let layer: UrbanModel.Layer
    public let source: String
    /// The rows to store, in file order (streets: the noded segments of each line in turn).
    public let rows: [LayerRow]

    /// The stored columns an import writes, in the order of `LayerRow.bindings`.
    public static func columns(of layer: UrbanModel.Layer) -> [String] {
        let schema = LayerSchema.of(layer)
        return ["id"] + schema.columns.map(\.name) + ["props"] + LayerImport.derivedColumns(layer)
            + (schema.geometry == .none ? [] : ["geom"])
    }

    /// - Parameters:
    ///   - source: the file name, for error messages.
    ///   - timeZone: the database's zone (times without an offset are read in it).
    ///   - classCodes: the class codes the city loaded (empty: hazard classes are not checked, kinds not inferred).
    ///   - existing: read only when hazards are imported.
    public init(_ features: [Feature], into layer: UrbanModel.Layer, source: String, timeZone: TimeZone,
                classCodes: ClassCatalog, noding: LayerImport.StreetNoding, existing: () throws -> Existing) throws {
        let schema = LayerSchema.of(layer)
        var input = try features.enumerated().map { i, f in try LayerRow(f, index: i, schema: schema, source: source, timeZone: timeZone) }
        if layer == .hazards {
            for k in input.indices { try Self.classify(&input[k], schema: schema, classCodes: classCodes, source: source) }
        }
        var seen: [String: Int] = [:]
        for (i, r) in input.enumerated() {
            if let first = seen.updateValue(i, forKey: r.id) { throw Self.duplicate(id: r.id, index: i, first: first, source: source) }
        }
        self.layer = layer
        self.source = source
        rows = try LayerImport.derive(input, schema: schema, noding: noding, existing: existing)
    }

    /// A hazard's class made definite: its `kind` (component 部件 or event 事件) as given, or inferred when the file
    /// gives none, and its class code checked against that kind's table, when the city loaded tables.
    ///
    /// Without `kind`: a hazard with a `component_id` (部件标识码) is a component; otherwise the kind is the one table
    /// that has the code. A code in both tables (0101 is 上水井盖 and 私搭乱建) refuses the file, naming the feature and
    /// its `kind` field; a code in neither refuses it at `class_code`. With no tables loaded nothing is checked and a
    /// missing kind stays empty (a component ID still makes it a component).
    static func classify(_ row: inout LayerRow, schema: LayerSchema, classCodes: ClassCatalog, source: String) throws {
        func column(_ name: String) -> Int { schema.columns.firstIndex { $0.name == name }! + 1 }  // +1: the id comes first
        let kindAt = column("kind"), codeAt = column("class_code")
        guard let code = row.values[codeAt] as? String else { return }
        let hasComponentID = (row.values[column("component_id")] as? String).map { !$0.isEmpty } ?? false
        func fail(_ field: String, _ reason: String) -> ModelError {
            .malformedRecord(.init(file: source, field: "features[\(row.index)].properties.\(field)"), reason: reason)
        }
        if let text = row.values[kindAt] as? String, let kind = CaseWorkflow.Kind(rawValue: text) {
            if !classCodes.isEmpty, !classCodes.contains(kind: kind, code: code) {
                let other = classCodes.kinds(of: code).first.map { " (it is \($0 == .component ? "a component" : "an event") class, \(classCodes.name(kind: $0, code: code)!): is kind wrong?)" } ?? ""
                throw fail("class_code", "unknown class code '\(code)' for kind \(kind.rawValue): not in the \(kind.rawValue) (\(kind.nameZH)) table loaded into this database\(other)")
            }
            return
        }
        if classCodes.isEmpty {
            if hasComponentID { row.values[kindAt] = CaseWorkflow.Kind.component.rawValue }
            return
        }
        switch classCodes.inferKind(code: code, hasComponentID: hasComponentID) {
        case .success(let kind):
            if !classCodes.contains(kind: kind, code: code) {
                throw fail("class_code", "unknown class code '\(code)' for kind component (it has a component_id): not in the component (部件) table loaded into this database")
            }
            row.values[kindAt] = kind.rawValue
        case .failure(.unknown):
            throw fail("class_code", "unknown class code '\(code)': not in the component or event tables loaded into this database")
        case .failure(.ambiguous(let component, let event)):
            throw fail("kind", "missing, and class code '\(code)' is in both tables (component \(component), event \(event)): give kind component (部件) or event (事件)")
        }
    }

    /// The error for a row whose id the layer holds already (the engine's unique constraint refused it).
    public func alreadyStored(_ row: LayerRow) -> ModelError {
        Self.alreadyStored(id: row.id, index: row.index, layer: layer, source: source)
    }

    /// The error for feature `index` whose id feature `first` has already.
    public static func duplicate(id: String, index: Int, first: Int, source: String) -> ModelError {
        .malformedRecord(.init(file: source, field: "features[\(index)].id"), reason: "duplicate id '\(id)' (first at features[\(first)])")
    }

    static func alreadyStored(id: String, index: Int, layer: UrbanModel.Layer, source: String) -> ModelError {
        .malformedRecord(.init(file: source, field: "features[\(index)].id"), reason: "id '\(id)' is already in layer \(layer.rawValue)")
    }

    /// Whether a layer's rows can be made one feature at a time (`LayerImport.Stream`): every layer but streets
    /// (noded together) and hazards (snapped to the stored streets).
    public static func streams(_ layer: UrbanModel.Layer) -> Bool { layer != .streets && layer != .hazards }

    /// A file's features made into rows one at a time, with the checks `LayerImport` makes (each feature's fields,
    /// hazard classes, ids unique within the file), for the layers whose rows need no other row (`streams`):
    /// the same rows and the same errors, except that with several bad features the first one in file order is
    /// reported. Keeps only the ids seen (and where).
    public struct Stream {
        public let layer: UrbanModel.Layer
        public let source: String
        let schema: LayerSchema
        let timeZone: TimeZone
        let classCodes: ClassCatalog
        var seen: [String: Int] = [:]
        /// Features made into rows so far.
        public private(set) var count = 0
        /// Whether `row` refuses an id repeated within the file (else the store checks ids, see `checksIDs`).
        public let checksIDs: Bool
        /// Without `checksIDs`: the first id (in file order) equal to an earlier one among the ids that are not
        /// plain ASCII (`Character` equality: canonically equivalent texts are equal), and those ids whose
        /// canonical form is plain ASCII (to be looked for among the others, which the store compares byte for byte).
        public private(set) var repeatedNonASCII: (id: String, index: Int, first: Int)?
        public private(set) var asciiEquivalents: [(id: String, ascii: String, index: Int)] = []

        /// - Parameter checksIDs: false when the store refuses repeated ids itself (a unique index compares ids byte
        ///   for byte; `repeatedNonASCII` and `asciiEquivalents` cover what Swift's string equality adds to that).
        public init(into layer: UrbanModel.Layer, source: String, timeZone: TimeZone, classCodes: ClassCatalog, checksIDs: Bool = true) {
            self.checksIDs = checksIDs
            precondition(LayerImport.streams(layer), "layer \(layer.rawValue) is imported whole (LayerImport)")
            self.layer = layer
            self.source = source
            schema = LayerSchema.of(layer)
            self.timeZone = timeZone
            self.classCodes = classCodes
        }

        /// The row of the next feature of the file, or the error naming its index and field.
        public mutating func row(_ feature: Feature) throws -> LayerRow {
            let i = count
            var r = try LayerRow(feature, index: i, schema: schema, source: source, timeZone: timeZone)
            if layer == .hazards { try LayerImport.classify(&r, schema: schema, classCodes: classCodes, source: source) }
            if checksIDs {
                if let first = seen.updateValue(i, forKey: r.id) { throw LayerImport.duplicate(id: r.id, index: i, first: first, source: source) }
            } else if !r.id.utf8.allSatisfy({ $0 < 0x80 }) {
                if let first = seen[r.id] {
                    if repeatedNonASCII == nil { repeatedNonASCII = (r.id, i, first) }
                } else {
                    seen[r.id] = i
                    let canonical = r.id.precomposedStringWithCanonicalMapping
                    if canonical.utf8.allSatisfy({ $0 < 0x80 }) { asciiEquivalents.append((r.id, canonical, i)) }
                }
            }
            count += 1
            return r
        }

        /// The error for the feature with this id when the layer holds the id already; nil for an id not in the file.
        public func alreadyStored(id: String) -> ModelError? {
            seen[id].map { LayerImport.alreadyStored(id: id, index: $0, layer: layer, source: source) }
        }
    }
}
