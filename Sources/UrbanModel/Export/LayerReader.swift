import Foundation
public import SpatialCore

/// Which features of a layer to read: all, those matching an SQL condition on the layer's columns, those
/// intersecting a lon/lat box, or both.
public struct LayerFilter: Sendable, Hashable {
    /// An SQL expression over the layer table's columns (`status = 'open' AND severity >= 3`). It runs on a
    /// read-only connection and must be one expression: anything else is rejected when prepared.
    public var whereSQL: String?
    /// WGS84 lon/lat; features whose geometry intersects it (exactly, by GEOS through SpatiaLite).
    public var bbox: Envelope?

    public init(whereSQL: String? = nil, bbox: Envelope? = nil) {
        self.whereSQL = whereSQL?.isEmpty == true ? nil : whereSQL
        self.bbox = bbox
    }

    /// Parses `W,S,E,N` (lon/lat degrees).
    public static func parseBBox(_ text: String) throws -> Envelope {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let w = parts[0], let s = parts[1], let e = parts[2], let n = parts[3] else {
            throw ModelError.invalidArgument(name: "bbox", reason: "'\(text)' is not W,S,E,N (four numbers, lon/lat degrees)")
        }
        guard w.isFinite, s.isFinite, e.isFinite, n.isFinite, w <= e, s <= n,
              (-180...180).contains(w), (-180...180).contains(e), (-90...90).contains(s), (-90...90).contains(n) else {
            throw ModelError.invalidArgument(
                name: "bbox", reason: "'\(text)': need -180 ≤ W ≤ E ≤ 180 and -90 ≤ S ≤ N ≤ 90 (lon/lat degrees, west,south,east,north)")
        }
        return Envelope(minX: w, minY: s, maxX: e, maxY: n)
    }
}

/// A column as exported: a stored column of the layer (schema or derived), or a key of the extra
/// properties kept as JSON.
public struct ExportColumn: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case text, integer, real, boolean, time
        /// Mixed or nested JSON values of an extra property (written as JSON text where a type is needed).
        case json
    }

    public var name: String
    public var kind: Kind
    /// True for a key of `props` rather than a table column.
    public var isExtra: Bool
}

/// A feature as read from the database: its id, its values in the order of the reader's `columns`, and its
/// WGS84 geometry (nil for the chiefs table).
public struct StoredFeature: Sendable {
    public var id: String
    public var values: [JSONValue]
    public var geometry: Geometry?
}

/// Streams the features of one layer in storage order, typed as stored: integers and reals stay numbers,
/// booleans are booleans, times are ISO 8601 text with their offset, extra properties keep their JSON type.
public final class LayerReader {
    public let layer: UrbanModel.Layer
    public let filter: LayerFilter
    /// The table columns (schema, then derived) followed by every extra property key found in the
    /// filtered features, in order of first appearance (row, then position in the row's properties).
    public let columns: [ExportColumn]
    let schema: LayerSchema
    private let db: UrbanDatabase
    private let tableColumns: Int
    private let whereClause: String
    private let parameters: [(any SQLBindable)?]

    public init(_ db: UrbanDatabase, layer: UrbanModel.Layer, filter: LayerFilter = LayerFilter()) throws {
        self.db = db
        self.layer = layer
        self.filter = filter
        schema = LayerSchema.of(layer)
        var conditions: [String] = []
        var parameters: [(any SQLBindable)?] = []
        if let w = filter.whereSQL { conditions.append("(\(w))") }
        if let b = filter.bbox {
            guard schema.geometry != .none else {
                throw ModelError.invalidArgument(name: "bbox", reason: "layer \(layer.rawValue) has no geometry")
            }
            // the R*Tree narrows to candidates, GEOS (SpatiaLite's ST_Intersects) decides
            conditions.append("""
                pk IN (SELECT pkid FROM idx_\(schema.table)_geom WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?) \
                AND ST_Intersects(geom, BuildMbr(?, ?, ?, ?, 4326)) = 1
                """)
            parameters += [b.maxX, b.minX, b.maxY, b.minY, b.minX, b.minY, b.maxX, b.maxY]
        }
        whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        self.parameters = parameters

        var cols = schema.columns.map { c in
            ExportColumn(name: c.name, kind: Self.kind(c.type), isExtra: false)
        }
        for d in UrbanDatabase.derivedColumns(layer) {
            cols.append(ExportColumn(name: d, kind: d.hasSuffix("_m") ? .real : .text, isExtra: false))
        }
        tableColumns = cols.count
        // extra property keys and their JSON types, over the filtered rows (SQLite's json_each)
        let keys = try Self.prepare(db, """
            SELECT j.key, group_concat(DISTINCT j.type) FROM (SELECT pk, props FROM \(schema.table)\(whereClause)) AS t, \
            json_each(t.props) AS j GROUP BY j.key ORDER BY min(t.pk * 4294967296 + j.id)
            """, parameters, filter)
        let known = Set(cols.map(\.name) + ["id"])
        try keys.forEach { st in
            guard let key = try st.string(0), !known.contains(key) else { return }
            let types = Set((try st.string(1) ?? "").split(separator: ",").map(String.init)).subtracting(["null"])
            let kind: ExportColumn.Kind = switch types {
            case ["integer"]: .integer
            case ["real"], ["integer", "real"]: .real
            case ["text"]: .text
            case ["true"], ["false"], ["true", "false"]: .boolean
            default: .json
            }
            cols.append(ExportColumn(name: key, kind: kind, isExtra: true))
        }
        columns = cols
    }

    static func kind(_ t: LayerSchema.ColumnType) -> ExportColumn.Kind {
        switch t {
        case .text: .text
        case .integer: .integer
        case .real: .real
        case .boolean: .boolean
        case .time: .time
        }
    }

    /// Prepares a statement over the layer, turning SQLite's complaint about a bad `--where` into an error
    /// that names the option.
    private static func prepare(_ db: UrbanDatabase, _ sql: String, _ parameters: [(any SQLBindable)?], _ filter: LayerFilter) throws -> Statement {
        do {
            let st = try db.store.prepare(sql)
            try st.bind(parameters)
            return st
        } catch SpatialError.sqlite(_, let message, _) where filter.whereSQL != nil {
            throw ModelError.invalidArgument(name: "where", reason: "'\(filter.whereSQL!)' is not a valid condition on layer columns: \(message)")
        }
    }

    /// The number of features the filter selects.
    public func count() throws -> Int {
        let st = try Self.prepare(db, "SELECT count(*) FROM \(schema.table)\(whereClause)", parameters, filter)
        guard try st.step() else { return 0 }
        return try st.int(0) ?? 0
    }

    /// The WGS84 extent of the selected features (from the R*Tree entries), nil when none has a geometry.
    public func extent() throws -> Envelope? {
        guard schema.geometry != .none else { return nil }
        let st = try Self.prepare(
            db, "SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)), max(MbrMaxY(geom)) FROM \(schema.table)\(whereClause)",
            parameters, filter)
        guard try st.step(), let a = try st.double(0), let b = try st.double(1), let c = try st.double(2), let d = try st.double(3) else {
            return nil
        }
        return Envelope(minX: a, minY: b, maxX: c, maxY: d)
    }

    /// Calls `body` for each selected feature, in storage order, without holding more than one in memory.
    public func forEach(_ body: (StoredFeature) throws -> Void) throws {
        let names = ["id"] + columns.prefix(tableColumns).map(\.name) + ["props"] + (schema.geometry == .none ? [] : ["AsBinary(geom)"])
        let st = try Self.prepare(db, "SELECT \(names.joined(separator: ", ")) FROM \(schema.table)\(whereClause) ORDER BY pk", parameters, filter)
        let reader = try WKBReader()
        let extraIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().filter(\.element.isExtra).map { ($0.element.name, $0.offset) })
        let propsColumn = 1 + tableColumns
        while try st.step() {
            var values = [JSONValue](repeating: .null, count: columns.count)
            for i in 0..<tableColumns {
                let c = i + 1
                guard !(try st.isNull(c)) else { continue }
                values[i] = switch columns[i].kind {
                case .integer: .int(try st.int64(c)!)
                case .real: .number(try st.double(c)!)
                case .boolean: .bool(try st.bool(c)!)
                case .text, .time, .json: .string(try st.string(c)!)
                }
            }
            if let props = try st.string(propsColumn), props != "{}", !props.isEmpty {
                if case .object(let o) = try JSONValue(parsing: props) {
                    for m in o.members { if let i = extraIndex[m.key] { values[i] = m.value } }
                }
            }
            let geometry = schema.geometry == .none ? nil : try st.geometry(propsColumn + 1, reader: reader)
            try body(StoredFeature(id: try st.string(0) ?? "", values: values, geometry: geometry))
        }
    }
}
