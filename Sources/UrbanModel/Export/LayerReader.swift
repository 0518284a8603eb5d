public import Foundation
public import SpatialCore

/// Which features of a layer to read: all, those matching an SQL condition on the layer's columns, those
/// intersecting a lon/lat box, the one with a given id, any combination; optionally one page of them.
public struct LayerFilter: Sendable, Hashable {
    /// An SQL expression over the layer table's columns (`status = 'open' AND severity >= 3`). It runs on a
    /// read-only connection and must be one expression: anything else is rejected when prepared.
    /// Only for trusted callers (the command line): request text from the network never goes here.
    public var whereSQL: String?
    /// WGS84 lon/lat; features whose geometry intersects it (exactly, by GEOS through SpatiaLite).
    public var bbox: Envelope?
    /// Only the feature with this id (bound as a parameter, never spliced into SQL).
    public var featureID: String?
    /// At most this many features (in storage order) after skipping `offset`; nil: all. `count()` ignores it.
    public var limit: Int?
    /// Features skipped before the first one read (in storage order). `count()` ignores it.
    public var offset: Int
    /// Features whose time (the layer's first time column, `LayerSchema.timeColumn`: a hazard's `reported_at`) lies
    /// in this interval; bound as Unix seconds. Features without a time are not selected. A layer without a time
    /// column refuses it (`ModelError.invalidArgument` naming `datetime`).
    public var time: TimeRange?

    /// A closed time interval; a nil end is open (`..` in OGC API – Features' `datetime`).
    public struct TimeRange: Sendable, Hashable {
        public var start: Date?
        public var end: Date?
        public init(start: Date?, end: Date?) {
            self.start = start
            self.end = end
        }
    }

    public init(whereSQL: String? = nil, bbox: Envelope? = nil, featureID: String? = nil, limit: Int? = nil, offset: Int = 0,
                time: TimeRange? = nil) {
        self.whereSQL = whereSQL?.isEmpty == true ? nil : whereSQL
        self.bbox = bbox
        self.featureID = featureID
        self.limit = limit
        self.offset = offset
        self.time = time
    }

    /// Parses `W,S,E,N` (lon/lat degrees).
    public static func parseBBox(_ text: String) throws -> Envelope {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { NumberText.decimal($0.trimmingCharacters(in: .whitespaces)) }
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
/// Extra property values come from SQLite's JSON operators (`->`, `->>`), so rows are never parsed in Swift.
public final class LayerReader {
    public let layer: UrbanModel.Layer
    public let filter: LayerFilter
    /// The table columns (schema, then derived) followed by the layer's extra property keys in order of first
    /// appearance (`UrbanDatabase.propertyKeys`; for the whole layer, whatever the filter).
    public let columns: [ExportColumn]
    let schema: LayerSchema
    private let db: UrbanDatabase
    /// How many of `columns` are table columns (the rest are extra properties).
    public let tableColumns: Int
    /// In raw-JSON reading, the extra properties are copied as stored (`Row.appendExtraMembers`) instead of
    /// column by column: possible when no stored key repeats a table column's name.
    public let splicesExtraProperties: Bool
    private let whereClause: String
    private let parameters: [(any SQLBindable)?]
    /// Extra keys SQLite's JSON path syntax cannot name (a double quote in the key): read by parsing `props`.
    private let unpathable: Set<Int>

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
        if let id = filter.featureID {
            conditions.append("id = ?")
            parameters.append(id)
        }
        if let range = filter.time {
            guard let column = schema.timeColumn else {
                throw ModelError.invalidArgument(name: "datetime", reason: "layer \(layer.rawValue) has no time property")
            }
            // unixepoch() reads the stored ISO 8601 text with its offset; whole seconds, so the bounds are rounded inwards
            conditions.append("unixepoch(\(column)) IS NOT NULL")
            if let start = range.start {
                conditions.append("unixepoch(\(column)) >= ?")
                parameters.append(Int64(start.timeIntervalSince1970.rounded(.up)))
            }
            if let end = range.end {
                conditions.append("unixepoch(\(column)) <= ?")
                parameters.append(Int64(end.timeIntervalSince1970.rounded(.down)))
            }
        }
        if let limit = filter.limit, limit < 0 {
            throw ModelError.invalidArgument(name: "limit", reason: "\(limit) is negative")
        }
        if filter.offset < 0 {
            throw ModelError.invalidArgument(name: "offset", reason: "\(filter.offset) is negative")
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
        let known = Set(cols.map(\.name) + ["id"])
        var unpathable: Set<Int> = []
        let keys = try db.propertyKeys(layer)
        splicesExtraProperties = !keys.contains { k in cols.contains { $0.name == k.key } }
        for (key, types) in keys where !known.contains(key) {
            let kind: ExportColumn.Kind = switch types.subtracting(["null"]) {
            case ["integer"]: .integer
            case ["real"], ["integer", "real"]: .real
            case ["text"]: .text
            case ["true"], ["false"], ["true", "false"]: .boolean
            default: .json
            }
            if key.contains("\"") { unpathable.insert(cols.count) }
            cols.append(ExportColumn(name: key, kind: kind, isExtra: true))
        }
        columns = cols
        self.unpathable = unpathable
        _ = try prepare("SELECT count(*) FROM \(schema.table)\(whereClause)")  // a bad --where fails here, before any output
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
    private func prepare(_ sql: String, extra: [(any SQLBindable)?] = []) throws -> Statement {
        do {
            let st = try db.store.prepare(sql)
            try st.bind(parameters + extra)
            return st
        } catch SpatialError.sqlite(_, let message, _) where filter.whereSQL != nil {
            throw ModelError.invalidArgument(name: "where", reason: "'\(filter.whereSQL!)' is not a valid condition on layer columns: \(message)")
        }
    }

    /// The number of features the filter selects.
    public func count() throws -> Int {
        let st = try prepare("SELECT count(*) FROM \(schema.table)\(whereClause)")
        guard try st.step() else { return 0 }
        return try st.int(0) ?? 0
    }

    /// One row of the reader's query: the id, the columns in `columns` order, the WGS84 geometry.
    public struct Row {
        let statement: Statement
        let reader: LayerReader
        let raw: Bool
        let props: JSONObject?
        /// The feature id.
        public var id: String { (try? statement.string(0)) ?? "" }
        public let geometry: Geometry?

        /// Appends column `i` (of `columns`) as JSON text.
        public func appendJSON(_ i: Int, to out: inout [UInt8]) {
            if let props, reader.unpathable.contains(i) {
                (props[reader.columns[i].name] ?? .null).appendJSON(to: &out)
                return
            }
            let kind: Statement.JSONColumn = switch reader.columns[i].kind {
            case .integer: .integer
            case .real: .real
            case .boolean: .boolean
            case .text, .time: reader.columns[i].isExtra && raw ? .rawJSON : .string
            case .json: .rawJSON
            }
            statement.appendJSON(i + 1, as: reader.columns[i].isExtra && raw ? .rawJSON : kind, to: &out)
        }

        /// Appends the stored extra properties as object members, each preceded by a comma when `comma` (or
        /// after the first): the raw-JSON fast path when `LayerReader.splicesExtraProperties`. Returns whether
        /// anything was appended.
        @discardableResult
        public func appendExtraMembers(to out: inout [UInt8], comma: Bool) -> Bool {
            var text: [UInt8] = []
            statement.appendJSON(reader.tableColumns + 1, as: .rawJSON, to: &text)
            // a compact object as the importer wrote it: `{…}`; `{}` or NULL add nothing
            guard text.count > 2, text.first == 0x7B, text.last == 0x7D else { return false }
            if comma { out.append(0x2C) }
            out.append(contentsOf: text[1..<(text.count - 1)])
            return true
        }

        /// Appends the id as a JSON string.
        public func appendID(to out: inout [UInt8]) { statement.appendJSON(0, as: .string, to: &out) }

        /// Column `i` (of `columns`) as a typed value.
        public func value(_ i: Int) throws -> JSONValue {
            if let props, reader.unpathable.contains(i) { return props[reader.columns[i].name] ?? .null }
            let c = i + 1
            guard !(try statement.isNull(c)) else { return .null }
            return switch reader.columns[i].kind {
            case .integer: .int(try statement.int64(c)!)
            case .real: .number(try statement.double(c)!)
            case .boolean: .bool(try statement.bool(c)!)
            case .text, .time: .string(try statement.string(c)!)
            case .json: try JSONValue(parsing: try statement.string(c)!)
            }
        }
    }

    /// Calls `body` for each selected row, in storage order, one row at a time.
    /// - Parameter rawJSON: extra properties as the JSON text stored (for writing JSON) rather than SQL values.
    public func forEachRow(rawJSON: Bool, _ body: (Row) throws -> Void) throws {
        var names = ["id"] + columns.prefix(tableColumns).map(\.name)
        let splice = rawJSON && splicesExtraProperties
        for c in columns.dropFirst(tableColumns) where !splice {
            let label = c.name.contains("\"") ? "" : "$.\"\(c.name)\""
            // `->` gives the JSON text of the value, `->>` the SQL value (objects and arrays as JSON text)
            names.append(c.name.contains("\"") ? "NULL" : "props \(rawJSON || c.kind == .json ? "->" : "->>") '\(label.replacingOccurrences(of: "'", with: "''"))'")
        }
        names.append("props")  // column tableColumns + 1 when splicing
        let geometryColumn = names.count
        if schema.geometry != .none {
            // points as SpatiaLite's X and Y (no WKB round trip through GEOS), anything else as WKB
            names += ["ST_X(geom)", "ST_Y(geom)", "CASE WHEN ST_X(geom) IS NULL THEN AsBinary(geom) END"]
        }
        // paging: LIMIT -1 is SQLite's "no limit", needed when only an offset is given
        let paged = filter.limit != nil || filter.offset > 0
        let st = try prepare(
            "SELECT \(names.joined(separator: ", ")) FROM \(schema.table)\(whereClause) ORDER BY pk\(paged ? " LIMIT ? OFFSET ?" : "")",
            extra: paged ? [filter.limit ?? -1, filter.offset] : [])
        let wkb = try WKBReader()
        while try st.step() {
            var props: JSONObject?
            if !unpathable.isEmpty, let text = try st.string(geometryColumn - 1) { props = try JSONValue(parsing: text).objectValue }
            var geometry: Geometry?
            if schema.geometry != .none {
                if let x = try st.double(geometryColumn), let y = try st.double(geometryColumn + 1) {
                    geometry = .point(x: x, y: y)
                } else {
                    geometry = try st.geometry(geometryColumn + 2, reader: wkb)
                }
            }
            try body(Row(statement: st, reader: self, raw: rawJSON, props: props, geometry: geometry))
        }
    }

    /// Calls `body` for each selected feature with typed values, in storage order, one at a time.
    public func forEach(_ body: (StoredFeature) throws -> Void) throws {
        try forEachRow(rawJSON: false) { row in
            try body(StoredFeature(id: row.id, values: try columns.indices.map(row.value), geometry: row.geometry))
        }
    }
}

extension UrbanDatabase {
    /// The WGS84 lon/lat extent of a layer's geometries, from its R*Tree (so as SpatiaLite stores it: each
    /// feature's bounding box rounded outwards to float precision); nil for an empty layer or one without geometry.
    public func extent(_ layer: UrbanModel.Layer) throws -> Envelope? {
        let schema = LayerSchema.of(layer)
        guard schema.geometry != .none else { return nil }
        let row = try store.query("SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM idx_\(schema.table)_geom")
        guard let r = row.first, let w = r[0].double, let s = r[1].double, let e = r[2].double, let n = r[3].double else { return nil }
        return Envelope(minX: w, minY: s, maxX: e, maxY: n)
    }
}
