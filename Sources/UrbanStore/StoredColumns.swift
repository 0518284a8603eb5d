import UrbanModel

/// The columns a layer's table holds on either engine, in one order: `pk`, then the columns an import writes
/// (`LayerImport.columns(of:)`: id, the schema's columns, props, the derived columns, geom). `copy` moves rows in
/// this order, so both engines read and write the same values.
struct StoredColumn: Sendable {
    enum Kind: Sendable {
        case key, text, integer, real, boolean, time, json, geometry
    }

    var name: String
    var kind: Kind
    /// The schema version that added the column (`LayerSchema.Column.since`): a source older than that has none, and
    /// `copy` reads NULL for it.
    var since = 1

    static func of(_ layer: UrbanModel.Layer) -> [StoredColumn] {
        let schema = LayerSchema.of(layer)
        var columns = [StoredColumn(name: "pk", kind: .key), StoredColumn(name: "id", kind: .text)]
        for c in schema.columns {
            let kind: Kind = switch c.type {
            case .text: .text
            case .integer: .integer
            case .real: .real
            case .boolean: .boolean
            case .time: .time
            }
            columns.append(StoredColumn(name: c.name, kind: kind, since: c.since))
        }
        columns.append(StoredColumn(name: "props", kind: .json))
        for name in LayerImport.columns(of: layer) where !columns.contains(where: { $0.name == name }) && name != "geom" {
            columns.append(StoredColumn(name: name, kind: name.hasSuffix("_m") ? .real : .text))  // derived: lengths and ids
        }
        if schema.geometry != .none { columns.append(StoredColumn(name: "geom", kind: .geometry)) }
        return columns
    }
}
