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
            if let first = seen.updateValue(i, forKey: r.id) {
                throw ModelError.malformedRecord(
                    .init(file: source, field: "features[\(i)].id"), reason: "duplicate id '\(r.id)' (first at features[\(first)])")
            }
        }
        self.layer = layer
        self.source = source
        rows = try LayerImport.derive(input, schema: schema, noding: noding, existing: existing)
    }

    /// The error for a row whose id the layer holds already (the engine's unique constraint refused it).
    public func alreadyStored(_ row: LayerRow) -> ModelError {
        .malformedRecord(.init(file: source, field: "features[\(row.index)].id"), reason: "id '\(row.id)' is already in layer \(layer.rawValue)")
    }
}
