import UrbanModel

extension LayerSchema {
    /// `CREATE TABLE` and `AddGeometryColumn` for this layer. Every table has an integer `pk` (the R*Tree's
    /// key), the feature `id` as text (unique), the columns, and `props` (the other properties, JSON).
    var createSQL: String {
        let cols = firstColumns.map { c -> String in
            let t = switch c.type {
            case .text, .time: "TEXT"
            case .integer, .boolean: "INTEGER"
            case .real: "REAL"
            }
            return "\(c.name) \(t)\(c.required ? " NOT NULL" : "")"
        }
        var sql = "CREATE TABLE \(table)(pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, \((cols + ["props TEXT"]).joined(separator: ", ")));\n"
        if geometry != .none {
            sql += "SELECT AddGeometryColumn('\(table)', 'geom', 4326, '\(geometry.rawValue)', 'XY', 1);\n"
            sql += "SELECT CreateSpatialIndex('\(table)', 'geom');\n"
        }
        return sql
    }
}
