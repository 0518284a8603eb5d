public import Foundation
public import SpatialCore
public import UrbanModel

/// Streams the features of one layer in storage order, typed as stored: integers and reals stay numbers,
/// booleans are booleans, times are ISO 8601 text with their offset, extra properties keep their JSON type.
/// Extra property values come from the engine's JSON operators (`->`, `->>`), so rows are never parsed in Swift.
/// On SpatiaLite rows are read straight from the statement; on PostGIS streamed from one query in a read-only
/// transaction, a few batches of rows held at a time, so memory stays flat in the size of the layer on both.
public final class LayerReader {
    public let layer: UrbanModel.Layer
    public let filter: LayerFilter
    /// The table columns (schema, then derived) followed by the layer's extra property keys in order of first
    /// appearance (`UrbanDatabase.propertyKeys`; for the whole layer, whatever the filter).
    public let columns: [ExportColumn]
    let schema: LayerSchema
    private enum Source {
        case spatiaLite(UrbanDatabase)
        case postGIS(PostGISDatabase)
    }
    private let source: Source
    /// How many of `columns` are table columns (the rest are extra properties).
    public let tableColumns: Int
    /// In raw-JSON reading, the extra properties are copied as stored (`Row.appendExtraMembers`) instead of
    /// column by column: possible when no stored key repeats a table column's name.
    public let splicesExtraProperties: Bool
    private let whereClause: String
    private let parameters: [SQLValue]
    /// Extra keys SQLite's JSON path syntax cannot name (a double quote in the key): read by parsing `props`.
    private let unpathable: Set<Int>

    /// - Parameter db: a city on either engine (`UrbanDatabase` or `PostGISDatabase`).
    public init(_ db: any CityStore, layer: UrbanModel.Layer, filter: LayerFilter = LayerFilter()) throws {
        switch db {
        case let d as UrbanDatabase: source = .spatiaLite(d)
        case let d as PostGISDatabase: source = .postGIS(d)
        default: throw ModelError.invalidArgument(name: "DB", reason: "\(db.displayName): no layer reader for the \(db.engine.rawValue) engine")
        }
        self.layer = layer
        self.filter = filter
        schema = LayerSchema.of(layer)
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        let postGIS = db.engine == .postGIS
        /// The next parameter's marker: `?` on SQLite, `$n` on PostgreSQL.
        func bind(_ v: SQLValue) -> String {
            parameters.append(v)
            return postGIS ? "$\(parameters.count)" : "?"
        }
        if let w = filter.whereSQL { conditions.append("(\(w))") }
        if let b = filter.bbox {
            guard schema.geometry != .none else {
                throw ModelError.invalidArgument(name: "bbox", reason: "layer \(layer.rawValue) has no geometry")
            }
            if postGIS {  // the GiST index narrows to candidates, GEOS (ST_Intersects) decides
                let (w, s, e, n) = (bind(.real(b.minX)), bind(.real(b.minY)), bind(.real(b.maxX)), bind(.real(b.maxY)))
                conditions.append("geom && ST_MakeEnvelope(\(w), \(s), \(e), \(n), 4326) AND ST_Intersects(geom, ST_MakeEnvelope(\(w), \(s), \(e), \(n), 4326))")
            } else {  // the R*Tree narrows to candidates, GEOS (SpatiaLite's ST_Intersects) decides
                conditions.append("""
                    pk IN (SELECT pkid FROM idx_\(schema.table)_geom WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?) \
                    AND ST_Intersects(geom, BuildMbr(?, ?, ?, ?, 4326)) = 1
                    """)
                parameters += [b.maxX, b.minX, b.maxY, b.minY, b.minX, b.minY, b.maxX, b.maxY].map(SQLValue.real)
            }
        }
        if let id = filter.featureID {
            conditions.append("id = \(bind(.text(id)))")
        }
        if let range = filter.time {
            guard let column = schema.timeColumn else {
                throw ModelError.invalidArgument(name: "datetime", reason: "layer \(layer.rawValue) has no time property")
            }
            // SQLite's unixepoch() reads the stored ISO 8601 text with its offset; whole seconds, so the bounds are
            // rounded inwards (PostgreSQL's timestamptz: the same seconds)
            let seconds = postGIS ? "extract(epoch FROM \(column))" : "unixepoch(\(column))"
            conditions.append("\(seconds) IS NOT NULL")
            if let start = range.start {
                conditions.append("\(seconds) >= \(bind(.integer(Int64(start.timeIntervalSince1970.rounded(.up)))))")
            }
            if let end = range.end {
                conditions.append("\(seconds) <= \(bind(.integer(Int64(end.timeIntervalSince1970.rounded(.down)))))")
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
        for d in LayerImport.derivedColumns(layer) {
            cols.append(ExportColumn(name: d, kind: d.hasSuffix("_m") ? .real : .text, isExtra: false))
        }
        for (name, _) in Self.lookedUpColumns(layer) { cols.append(ExportColumn(name: name, kind: .text, isExtra: false)) }
        tableColumns = cols.count
        let known = Set(cols.map(\.name) + ["id"])
        var unpathable: Set<Int> = []
        let keys = switch source {
        case .spatiaLite(let d): try d.propertyKeys(layer)
        case .postGIS(let d): try d.propertyKeys(layer)
        }
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
        _ = try count()  // a bad --where fails here, before any output
    }

    /// Columns read from other tables with each row (after the stored and derived columns): a hazard's `class_name`,
    /// the Chinese name of its class looked up by (kind, class code) in the city's code tables (null when its kind is
    /// unknown or the tables lack the class). Name and SQL expression, the same on both engines.
    static func lookedUpColumns(_ layer: UrbanModel.Layer) -> [(name: String, sql: String)] {
        layer == .hazards ? [("class_name", UrbanDatabase.classNameSQL("hazards"))] : []
    }

    /// The SELECT expression of table column `name`.
    private func expression(_ name: String) -> String {
        Self.lookedUpColumns(layer).first { $0.name == name }?.sql ?? name
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
    private func prepare(_ db: UrbanDatabase, _ sql: String, extra: [SQLValue] = []) throws -> Statement {
        do {
            let st = try db.store.prepare(sql)
            try st.bind((parameters + extra).map { $0 as (any SQLBindable)? })
            return st
        } catch SpatialError.sqlite(_, let message, _) where filter.whereSQL != nil {
            throw ModelError.invalidArgument(name: "where", reason: "'\(filter.whereSQL!)' is not a valid condition on layer columns: \(message)")
        }
    }

    /// Runs `body` in a read-only transaction on PostgreSQL (a `--where` cannot write), turning the server's
    /// complaint about a bad `--where` into an error that names the option.
    private func reading<T>(_ db: PostGISDatabase, _ body: () throws -> T) throws -> T {
        do {
            return try db.connection.transaction(readOnly: true, body)
        } catch let error as ModelError where filter.whereSQL != nil && error.description.contains("SQLSTATE 42") {
            throw ModelError.invalidArgument(name: "where", reason: "'\(filter.whereSQL!)' is not a valid condition on layer columns: \(error)")
        }
    }

    /// The number of features the filter selects.
    public func count() throws -> Int {
        let sql = "SELECT count(*) FROM \(schema.table)\(whereClause)"
        switch source {
        case .spatiaLite(let db):
            let st = try prepare(db, sql)
            guard try st.step() else { return 0 }
            return try st.int(0) ?? 0
        case .postGIS(let db):
            return try reading(db) { try db.connection.scalar(sql, parameters).int ?? 0 }
        }
    }

    /// One row of the reader's query: the id, the columns in `columns` order, the WGS84 geometry.
    public struct Row {
        let statement: any SQLRowValues
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
            if let pg = statement as? PGBatchRow, pg.batch.kinds[reader.tableColumns + 1] == .text {  // straight from the bytes
                let c = reader.tableColumns + 1
                guard !pg.batch.isNull(pg.row, c) else { return false }
                return pg.batch.withBytes(pg.row, c) { text in
                    guard text.count > 2, text.first == 0x7B, text.last == 0x7D else { return false }
                    if comma { out.append(0x2C) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: text[1..<(text.count - 1)]))
                    return true
                }
            }
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
        switch source {
        case .spatiaLite(let db): try forEachSpatiaLiteRow(db, rawJSON: rawJSON, body)
        case .postGIS(let db): try forEachPostGISRow(db, rawJSON: rawJSON, body)
        }
    }

    private func forEachSpatiaLiteRow(_ db: UrbanDatabase, rawJSON: Bool, _ body: (Row) throws -> Void) throws {
        var names = ["id"] + columns.prefix(tableColumns).map { expression($0.name) }
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
        let st = try prepare(db,
            "SELECT \(names.joined(separator: ", ")) FROM \(schema.table)\(whereClause) ORDER BY pk\(paged ? " LIMIT ? OFFSET ?" : "")",
            extra: paged ? [.integer(Int64(filter.limit ?? -1)), .integer(Int64(filter.offset))] : [])
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

    /// The same columns as on SpatiaLite, in the same forms: booleans as 0/1, times as ISO 8601 text in the city's
    /// zone, extra properties through PostgreSQL's `->` (JSON text as stored) and `->>` (text). The rows stream in
    /// batches (`PGConnection.stream`: the next batch is read while this one is written) and are read from the
    /// bytes the server sent (`PGBatchRow`); geometries come as PostGIS's binary form (EWKB), points read from it
    /// directly, anything else through GEOS.
    private func forEachPostGISRow(_ db: PostGISDatabase, rawJSON: Bool, _ body: (Row) throws -> Void) throws {
        var parameters = self.parameters
        func bind(_ v: SQLValue) -> String {
            parameters.append(v)
            return "$\(parameters.count)"
        }
        var names = ["id"]
        var timeColumns: [Int] = []
        for c in columns.prefix(tableColumns) {
            switch c.kind {
            case .time:
                timeColumns.append(names.count)
                names.append("extract(epoch FROM \(c.name))::float8")
            case .boolean: names.append("\(c.name)::int")
            default: names.append(expression(c.name))
            }
        }
        let splice = rawJSON && splicesExtraProperties
        for c in columns.dropFirst(tableColumns) where !splice {
            names.append(c.name.contains("\"") ? "NULL" : "(props \(rawJSON || c.kind == .json ? "->" : "->>") \(bind(.text(c.name))))::text")
        }
        names.append("props::text")
        let geometryColumn = names.count
        if schema.geometry != .none { names.append("geom") }
        var sql = "SELECT \(names.joined(separator: ", ")) FROM \(schema.table)\(whereClause) ORDER BY pk"
        if let limit = filter.limit { sql += " LIMIT \(bind(.integer(Int64(limit))))" }
        if filter.offset > 0 { sql += " OFFSET \(bind(.integer(Int64(filter.offset))))" }
        let zone = try db.cityTimeZone
        let times = timeColumns.isEmpty ? nil : PGBatchRow.Times(zone: zone, columns: timeColumns, count: names.count)
        let wkb = try WKBReader()
        try reading(db) {
            try db.connection.stream(sql, parameters) { batch in
                for r in 0..<batch.rowCount {
                    let row = PGBatchRow(batch: batch, row: r, times: times)
                    var props: JSONObject?
                    if !unpathable.isEmpty, let text = row.string(geometryColumn - 1) { props = try JSONValue(parsing: text).objectValue }
                    var geometry: Geometry?
                    if schema.geometry != .none, !batch.isNull(r, geometryColumn) {
                        geometry = try batch.withBytes(r, geometryColumn) { try Self.geometry(ewkb: $0, wkb) }
                    }
                    try body(Row(statement: row, reader: self, raw: rawJSON, props: props, geometry: geometry))
                }
            }
        }
    }

    /// A geometry from PostGIS's binary form (EWKB: WKB with flags and an SRID in the type word): a 2D point read
    /// from its bytes (an empty one, NaN coordinates, as no geometry, as the reader always gave it), anything else
    /// through GEOS, which reads EWKB.
    static func geometry(ewkb b: UnsafeBufferPointer<UInt8>, _ wkb: WKBReader) throws -> Geometry? {
        guard b.count >= 5 else { return try wkb.read(UnsafeRawBufferPointer(b)) }
        let little = b[0] == 1
        func word(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in 0..<4 { v |= UInt32(b[at + k]) << UInt32(little ? 8 * k : 8 * (3 - k)) }
            return v
        }
        func float(_ at: Int) -> Double {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(b[at + k]) << UInt64(little ? 8 * k : 8 * (7 - k)) }
            return Double(bitPattern: v)
        }
        let type = word(1)
        if type & 0xC000_0000 == 0, type & 0x0FFF_FFFF == 1 {  // a point without Z or M
            let at = type & 0x2000_0000 != 0 ? 9 : 5  // after the SRID when there is one
            guard b.count >= at + 16 else { return try wkb.read(UnsafeRawBufferPointer(b)) }
            let x = float(at), y = float(at + 8)
            return x.isNaN || y.isNaN ? nil : .point(x: x, y: y)
        }
        return try wkb.read(UnsafeRawBufferPointer(b))
    }

    /// Calls `body` for each selected feature with typed values, in storage order, one at a time.
    public func forEach(_ body: (StoredFeature) throws -> Void) throws {
        try forEachRow(rawJSON: false) { row in
            try body(StoredFeature(id: row.id, values: try columns.indices.map(row.value), geometry: row.geometry))
        }
    }
}

/// One row of a `PGRowBatch`, read as `Statement` reads its columns (the same conversions as `SQLValueRow`), with
/// the time columns (seconds since the epoch) as ISO 8601 text in the city's zone. Text and numbers are written as
/// JSON straight from the bytes the server sent.
struct PGBatchRow: SQLRowValues {
    /// Which columns hold times, and the zone they are shown in.
    final class Times {
        let zone: TimeZone
        let isTime: [Bool]
        init(zone: TimeZone, columns: [Int], count: Int) {
            self.zone = zone
            var isTime = [Bool](repeating: false, count: count)
            for c in columns { isTime[c] = true }
            self.isTime = isTime
        }
    }

    let batch: PGRowBatch
    let row: Int
    let times: Times?

    func value(_ i: Int) -> SQLValue {
        if let times, times.isTime[i] {
            guard let seconds = batch.double(row, i) else { return .null }
            return .text(ISOTime.string(Date(timeIntervalSince1970: seconds), in: times.zone))
        }
        return batch.value(row, i)
    }

    func isNull(_ i: Int) -> Bool { batch.isNull(row, i) }
    func int64(_ i: Int) -> Int64? { batch.int64(row, i) ?? SQLValueRow([value(i)]).int64(0) }
    func double(_ i: Int) -> Double? { batch.double(row, i) ?? SQLValueRow([value(i)]).double(0) }
    func bool(_ i: Int) -> Bool? { SQLValueRow([value(i)]).bool(0) }
    func string(_ i: Int) -> String? { value(i).string }

    func appendJSON(_ i: Int, as kind: Statement.JSONColumn, to out: inout [UInt8]) {
        guard !batch.isNull(row, i) else {
            out.appendASCII("null")
            return
        }
        if times?.isTime[i] != true {
            switch (kind, batch.kinds[i]) {
            case (.string, .text): return batch.withBytes(row, i) { out.appendJSONString(utf8: $0) }
            case (.rawJSON, .text): return batch.withBytes(row, i) { out.append(contentsOf: $0) }
            case (.integer, .int2), (.integer, .int4), (.integer, .int8): return out.appendInt(batch.int64(row, i)!)
            case (.real, .float4), (.real, .float8): return out.appendDouble(batch.double(row, i)!)
            case (.boolean, .int2), (.boolean, .int4), (.boolean, .int8), (.boolean, .bool):
                if batch.int64(row, i)! != 0 { out.appendASCII("true") } else { out.appendASCII("false") }
                return
            default: break
            }
        }
        SQLValueRow([value(i)]).appendJSON(0, as: kind, to: &out)
    }
}

extension PostGISDatabase {
    /// As `UrbanDatabase.extent(_:)`: each feature's box rounded outwards to float precision as SQLite's R*Tree rounds
    /// it (`rtreeValueDown`/`rtreeValueUp`: a float that lands inside is pushed out by a relative 2⁻²³), then the
    /// smallest and largest of those (the rounding is not monotonic, so the boxes are rounded one by one).
    public func extent(_ layer: UrbanModel.Layer) throws -> Envelope? {
        let schema = LayerSchema.of(layer)
        guard schema.geometry != .none else { return nil }
        let towards = 1.0 - 1.0 / 8_388_608, away = 1.0 + 1.0 / 8_388_608
        func down(_ v: Double) -> Double { Double(Float(v)) > v ? Double(Float(v * (v < 0 ? away : towards))) : Double(Float(v)) }
        func up(_ v: Double) -> Double { Double(Float(v)) < v ? Double(Float(v * (v < 0 ? towards : away))) : Double(Float(v)) }
        var e: Envelope?
        for r in try connection.query("SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM \(schema.table)") {
            guard let a = r[0].double, let b = r[1].double, let c = r[2].double, let d = r[3].double else { continue }
            let box = Envelope(minX: down(a), minY: down(b), maxX: up(c), maxY: up(d))
            e = Envelope.union([e, box])
        }
        return e
    }

    /// The extra property keys of a layer in order of first appearance, with the JSON types they hold (as
    /// `UrbanDatabase.propertyKeys`).
    public func propertyKeys(_ layer: UrbanModel.Layer) throws -> [(key: String, types: Set<String>)] {
        try connection.query("SELECT key, types FROM layer_properties WHERE layer = $1 ORDER BY position", [.text(layer.rawValue)]).map { r in
            (r[0].string ?? "", Set((r[1].string ?? "").split(separator: ",").map(String.init)))
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
