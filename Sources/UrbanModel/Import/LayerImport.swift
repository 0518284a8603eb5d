public import Foundation
public import SpatialCore

/// A file's features made into the rows a layer stores, whichever engine stores them: every feature checked
/// (`LayerRow`: columns, types, allowed values, codes), ids unique within the file, hazard classes known to the
/// city's code tables, and the derived columns computed (streets noded and measured, hazards snapped to the
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
    ///   - classCodes: the class codes the city loaded (empty: hazard classes are not checked).
    ///   - existing: read only when hazards are imported.
    public init(_ features: [Feature], into layer: UrbanModel.Layer, source: String, timeZone: TimeZone,
                classCodes: Set<String>, noding: LayerImport.StreetNoding, existing: () throws -> Existing) throws {
        let schema = LayerSchema.of(layer)
        let input = try features.enumerated().map { i, f in try LayerRow(f, index: i, schema: schema, source: source, timeZone: timeZone) }
        if layer == .hazards, !classCodes.isEmpty {  // a hazard's class must be one of the city's tables, when the city loaded them
            let i = schema.columns.firstIndex { $0.name == "class_code" }!
            for r in input {
                if let code = r.values[i + 1] as? String, !classCodes.contains(code) {
                    throw ModelError.malformedRecord(
                        .init(file: source, field: "features[\(r.index)].properties.class_code"),
                        reason: "unknown class code '\(code)': not in the component or event tables loaded into this database")
                }
            }
        }
        var seen: [String: Int] = [:]
        for (i, r) in input.enumerated() {
            if let first = seen.updateValue(i, forKey: r.id) { throw Self.duplicate(id: r.id, index: i, first: first, source: source) }
        }
        self.layer = layer
        self.source = source
        rows = try LayerImport.derive(input, schema: schema, noding: noding, existing: existing)
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
        let classCodes: Set<String>
        let classColumn: Int?
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
        public init(into layer: UrbanModel.Layer, source: String, timeZone: TimeZone, classCodes: Set<String>, checksIDs: Bool = true) {
            self.checksIDs = checksIDs
            precondition(LayerImport.streams(layer), "layer \(layer.rawValue) is imported whole (LayerImport)")
            self.layer = layer
            self.source = source
            schema = LayerSchema.of(layer)
            self.timeZone = timeZone
            self.classCodes = classCodes
            classColumn = layer == .hazards ? schema.columns.firstIndex { $0.name == "class_code" } : nil
        }

        /// The row of the next feature of the file, or the error naming its index and field.
        public mutating func row(_ feature: Feature) throws -> LayerRow {
            let i = count
            let r = try LayerRow(feature, index: i, schema: schema, source: source, timeZone: timeZone)
            if let c = classColumn, !classCodes.isEmpty, let code = r.values[c + 1] as? String, !classCodes.contains(code) {
                throw ModelError.malformedRecord(
                    .init(file: source, field: "features[\(i)].properties.class_code"),
                    reason: "unknown class code '\(code)': not in the component or event tables loaded into this database")
            }
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
