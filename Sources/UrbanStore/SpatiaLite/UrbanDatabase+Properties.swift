import SpatialCore
public import UrbanModel

// The extra properties of each layer (the keys of `props` that are not columns), kept up to date by every
// write, so that exports know their columns without scanning every row's JSON.

extension UrbanDatabase {
    static let layerPropertiesMigration = Migration(version: 4, name: "layer property keys", sql: """
        CREATE TABLE layer_properties(layer TEXT NOT NULL, key TEXT NOT NULL, types TEXT NOT NULL, position INTEGER NOT NULL,
                                      PRIMARY KEY (layer, key));
        """ + UrbanModel.Layer.allCases.map(propertyKeysSQL).joined())

    /// Recomputes one layer's rows of `layer_properties` from its `props` column: each key, the JSON types
    /// it holds (SQLite's json_type names, comma separated), and its first appearance (row, then position
    /// in the row) as `position`.
    static func propertyKeysSQL(_ layer: UrbanModel.Layer) -> String {
        let table = LayerSchema.of(layer).table
        return """
            DELETE FROM layer_properties WHERE layer = '\(layer.rawValue)';
            INSERT INTO layer_properties(layer, key, types, position)
              SELECT '\(layer.rawValue)', j.key, group_concat(DISTINCT j.type), min(t.pk * 4294967296 + j.id)
              FROM \(table) AS t, json_each(t.props) AS j GROUP BY j.key;

            """
    }

    /// Refreshes the property keys of a layer (inside the caller's transaction).
    func refreshPropertyKeys(_ layer: UrbanModel.Layer) throws {
        try store.execute(Self.propertyKeysSQL(layer))
    }

    /// The extra property keys of a layer in order of first appearance, with the JSON types they hold.
    /// A database of an older schema opened read-only (so not migrated) has no table of them: they are then
    /// computed from the rows.
    public func propertyKeys(_ layer: UrbanModel.Layer) throws -> [(key: String, types: Set<String>)] {
        let sql = try store.tableExists("layer_properties")
            ? "SELECT key, types FROM layer_properties WHERE layer = ? ORDER BY position"
            : """
              SELECT j.key AS key, group_concat(DISTINCT j.type) AS types FROM \(LayerSchema.of(layer).table) AS t, json_each(t.props) AS j
              WHERE ? IS NOT NULL GROUP BY j.key ORDER BY min(t.pk * 4294967296 + j.id)
              """
        return try store.query(sql, layer.rawValue).map { r in
            (r["key"]?.string ?? "", Set((r["types"]?.string ?? "").split(separator: ",").map(String.init)))
        }
    }
}
