internal import CSpatiaLite

/// One SQLite value, as stored (SQLite's five storage classes).
public enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var isNull: Bool { self == .null }
    public var int: Int? {
        switch self {
        case .integer(let v): Int(exactly: v)
        case .real(let d): Int(exactly: d)
        case .text(let s): Int(s)
        default: nil
        }
    }
    public var double: Double? {
        switch self {
        case .integer(let v): Double(v)
        case .real(let d): d
        case .text(let s): Double(s)
        default: nil
        }
    }
    public var string: String? {
        switch self {
        case .text(let s): s
        case .integer(let v): String(v)
        case .real(let d): String(d)
        default: nil
        }
    }
    public var blob: [UInt8]? {
        switch self {
        case .blob(let b): b
        case .text(let s): Array(s.utf8)
        default: nil
        }
    }
    /// Reads a WKB blob (select `AsBinary(geom)`, not the raw SpatiaLite column); nil for NULL.
    public func geometry() throws -> Geometry? {
        guard !isNull else { return nil }
        guard let b = blob else { throw SpatialError.parse(format: "WKB", location: "value", message: "not a blob: \(self)") }
        return try Geometry(wkb: b)
    }
}

/// A value that can be bound to a statement parameter. Geometries bind as WKB blobs: `GeomFromWKB(?, srid)`.
public protocol SQLBindable {
    func sqlValue() throws -> SQLValue
}

extension SQLValue: SQLBindable { public func sqlValue() -> SQLValue { self } }
extension Int: SQLBindable { public func sqlValue() -> SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { public func sqlValue() -> SQLValue { .integer(self) } }
extension Int32: SQLBindable { public func sqlValue() -> SQLValue { .integer(Int64(self)) } }
extension Double: SQLBindable { public func sqlValue() -> SQLValue { .real(self) } }
extension String: SQLBindable { public func sqlValue() -> SQLValue { .text(self) } }
extension Bool: SQLBindable { public func sqlValue() -> SQLValue { .integer(self ? 1 : 0) } }
extension Array: SQLBindable where Element == UInt8 { public func sqlValue() -> SQLValue { .blob(self) } }
extension Geometry: SQLBindable { public func sqlValue() throws -> SQLValue { .blob(try wkb) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public func sqlValue() throws -> SQLValue { try self?.sqlValue() ?? .null }
}

/// The values of one result row, read by column index: a SQLite `Statement` on its current row, or a row of another
/// engine's values (`SQLValueRow`). Readers above the engines (the layer reader, its JSON writers) use only this.
public protocol SQLRowValues {
    func isNull(_ i: Int) throws -> Bool
    func int64(_ i: Int) throws -> Int64?
    func double(_ i: Int) throws -> Double?
    func bool(_ i: Int) throws -> Bool?
    func string(_ i: Int) throws -> String?
    /// Appends column `i` as JSON text (`null` for NULL), as `Statement.appendJSON` does.
    func appendJSON(_ i: Int, as kind: Statement.JSONColumn, to out: inout [UInt8])
}

extension Statement: SQLRowValues {}

/// A row of values (from an engine other than SQLite) read as `Statement` reads its columns: integers from reals
/// truncated, numbers from text parsed, booleans from non-zero integers or `true`/`t`.
public struct SQLValueRow: SQLRowValues, Sendable {
    public var values: [SQLValue]

    public init(_ values: [SQLValue]) { self.values = values }

    public func isNull(_ i: Int) -> Bool { values[i].isNull }
    public func int64(_ i: Int) -> Int64? {
        switch values[i] {
        case .integer(let v): v
        case .real(let d): d.isFinite ? Int64(d) : nil
        case .text(let t): Int64(t) ?? Double(t).flatMap { $0.isFinite ? Int64($0) : nil }
        default: nil
        }
    }
    public func double(_ i: Int) -> Double? { values[i].double }
    public func bool(_ i: Int) -> Bool? {
        switch values[i] {
        case .text(let t): ["true", "t"].contains(t) ? true : ["false", "f"].contains(t) ? false : int64(i).map { $0 != 0 }
        default: int64(i).map { $0 != 0 }
        }
    }
    public func string(_ i: Int) -> String? { values[i].string }

    public func appendJSON(_ i: Int, as kind: Statement.JSONColumn, to out: inout [UInt8]) {
        guard !values[i].isNull else {
            out.appendASCII("null")
            return
        }
        switch kind {
        case .integer: out.appendInt(int64(i) ?? 0)
        case .real: out.appendDouble(double(i) ?? 0)
        case .boolean: if bool(i) == true { out.appendASCII("true") } else { out.appendASCII("false") }
        case .string: out.appendJSONString(string(i) ?? "")
        case .rawJSON: out.append(contentsOf: Array((string(i) ?? "").utf8))
        }
    }
}

/// One result row, detached from its statement.
public struct SQLRow: Hashable, Sendable {
    public let columnNames: [String]
    public let values: [SQLValue]

    /// A row of another engine's result (column names and values in the same order).
    public init(columnNames: [String], values: [SQLValue]) {
        self.columnNames = columnNames
        self.values = values
    }

    public subscript(_ index: Int) -> SQLValue { values[index] }
    /// The value of the first column called `name`, nil when there is no such column.
    public subscript(_ name: String) -> SQLValue? { columnNames.firstIndex(of: name).map { values[$0] } }
}

/// A prepared statement. Owns its `sqlite3_stmt` and keeps its store alive.
/// Reuse in loops: `bind` (resets a used statement by itself), `run()` / `step()`, `clearBindings()`.
public final class Statement {
    public let sql: String
    public let store: SpatiaLiteStore
    private let stmt: OpaquePointer
    private var stepped = false
    private var hasRow = false

    init(store: SpatiaLiteStore, sql: String) throws {
        let h = try store.handle(for: sql)
        var st: OpaquePointer?
        var rest = ""
        let rc = sql.withCString { base in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(h, base, -1, &st, &tail)
            if let tail { rest = String(cString: tail) }
            return rc
        }
        guard rc == SQLITE_OK else { throw store.error(rc, sql: sql) }
        guard let st else {
            throw SpatialError.sqlite(code: Int(SQLITE_MISUSE), message: "no SQL statement in the text", sql: sql)
        }
        guard rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
            sqlite3_finalize(st)
            throw SpatialError.sqlite(
                code: Int(SQLITE_MISUSE), message: "prepare takes one statement (use execute for scripts)", sql: sql)
        }
        self.sql = sql
        self.store = store
        self.stmt = st
        store.liveStatements += 1
    }

    deinit {
        sqlite3_finalize(stmt)
        store.liveStatements -= 1
    }

    private func fail(_ code: Int32, _ message: String) -> SpatialError {
        .sqlite(code: Int(code), message: message, sql: sql)
    }

    // MARK: binding

    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(stmt)) }

    /// Binds `value` (nil = NULL) to the 1-based parameter `index`.
    public func bind(_ value: (any SQLBindable)?, at index: Int) throws {
        if stepped { reset() }
        let v = try value?.sqlValue() ?? .null
        let i = Int32(clamping: index)
        let transient = cspatialite_transient()
        let rc: Int32 = switch v {
        case .null: sqlite3_bind_null(stmt, i)
        case .integer(let n): sqlite3_bind_int64(stmt, i, n)
        case .real(let d): sqlite3_bind_double(stmt, i, d)
        case .text(let s): sqlite3_bind_text(stmt, i, s, Int32(s.utf8.count), transient)
        case .blob(let b) where b.isEmpty: sqlite3_bind_zeroblob(stmt, i, 0)
        case .blob(let b): b.withUnsafeBytes { sqlite3_bind_blob(stmt, i, $0.baseAddress, Int32($0.count), transient) }
        }
        guard rc == SQLITE_OK else {
            let msg = String(cString: sqlite3_errmsg(try store.handle(for: sql)))
            throw fail(rc, "binding parameter \(index) (statement has \(parameterCount)): \(msg)")
        }
    }

    /// Binds to a named parameter: `":name"`, `"@name"`, `"$name"`, or `"name"` meaning `":name"`.
    public func bind(_ value: (any SQLBindable)?, named name: String) throws {
        let key = name.first.map { ":@$".contains($0) } == true ? name : ":" + name
        let i = sqlite3_bind_parameter_index(stmt, key)
        guard i > 0 else { throw fail(SQLITE_RANGE, "no parameter named \(key)") }
        try bind(value, at: Int(i))
    }

    /// Binds `values` to parameters 1, 2, ...
    public func bind(_ values: [(any SQLBindable)?]) throws {
        for (i, v) in values.enumerated() { try bind(v, at: i + 1) }
    }

    /// Binds each value to the parameter of that name.
    public func bind(_ values: [String: (any SQLBindable)?]) throws {
        for (k, v) in values { try bind(v, named: k) }
    }

    public func clearBindings() { sqlite3_clear_bindings(stmt) }

    /// Rewinds to before the first row; the bindings stay.
    public func reset() {
        sqlite3_reset(stmt)  // its result repeats the last step's error, which step() already threw
        stepped = false
        hasRow = false
    }

    // MARK: stepping

    /// Advances to the next row: true when there is one, false when the statement is done.
    @discardableResult
    public func step() throws -> Bool {
        stepped = true
        let rc = sqlite3_step(stmt)
        hasRow = rc == SQLITE_ROW
        guard rc == SQLITE_ROW || rc == SQLITE_DONE else { throw store.error(rc, sql: sql) }
        return hasRow
    }

    /// Runs to completion from the start (binding `parameters` first, when given), discarding rows.
    public func run(_ parameters: [(any SQLBindable)?] = []) throws {
        reset()
        try bind(parameters)
        while try step() {}
    }

    /// Every row, from the start, with the current bindings.
    public func rows() throws -> [SQLRow] {
        reset()
        let names = columnNames
        var out: [SQLRow] = []
        while try step() { out.append(SQLRow(columnNames: names, values: try (0..<names.count).map(value))) }
        return out
    }

    /// Calls `body` on each row, from the start; read the columns through the statement.
    public func forEach(_ body: (Statement) throws -> Void) throws {
        reset()
        while try step() { try body(self) }
    }

    // MARK: columns (0-based; nil for NULL)

    public var columnCount: Int { Int(sqlite3_column_count(stmt)) }
    public var columnNames: [String] { (0..<columnCount).map { String(cString: sqlite3_column_name(stmt, Int32($0))) } }

    private func column(_ i: Int) throws -> Int32 {
        guard hasRow else { throw fail(SQLITE_MISUSE, "no current row to read column \(i) from (step() first)") }
        guard i >= 0 && i < columnCount else { throw fail(SQLITE_RANGE, "column \(i) out of range 0..<\(columnCount)") }
        return Int32(i)
    }

    public func isNull(_ i: Int) throws -> Bool { sqlite3_column_type(stmt, try column(i)) == SQLITE_NULL }
    public func int64(_ i: Int) throws -> Int64? { try isNull(i) ? nil : sqlite3_column_int64(stmt, Int32(i)) }
    public func int(_ i: Int) throws -> Int? { try int64(i).map { Int($0) } }
    public func bool(_ i: Int) throws -> Bool? { try int64(i).map { $0 != 0 } }
    public func double(_ i: Int) throws -> Double? { try isNull(i) ? nil : sqlite3_column_double(stmt, Int32(i)) }

    public func string(_ i: Int) throws -> String? {
        guard !(try isNull(i)), let p = sqlite3_column_text(stmt, Int32(i)) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, Int32(i)))), as: UTF8.self)
    }

    public func blob(_ i: Int) throws -> [UInt8]? {
        guard !(try isNull(i)) else { return nil }
        guard let p = sqlite3_column_blob(stmt, Int32(i)) else { return [] }  // zero-length blob
        return Array(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, Int32(i)))))
    }

    /// A geometry from a WKB column: select `AsBinary(geom)`, the stored column is SpatiaLite's own format.
    public func geometry(_ i: Int) throws -> Geometry? {
        guard let b = try blob(i) else { return nil }
        do {
            return try Geometry(wkb: b)
        } catch SpatialError.parse(let format, _, let message) {
            // SpatiaLite's internal blob: 0x00, byte order, ..., 0x7C at offset 38, ..., 0xFE.
            let native = b.count > 39 && b[0] == 0 && b[38] == 0x7C && b.last == 0xFE
            throw SpatialError.parse(
                format: format, location: "column \(i) '\(columnNames[i])' (\(b.count) bytes) of: \(sql)",
                message: message + (native ? " (a SpatiaLite blob: select AsBinary(column))" : ""))
        }
    }

    /// A geometry from a WKB column (select `AsBinary(geom)`), parsed in place by a reader that is reused
    /// across rows: the fast path for reading many rows.
    public func geometry(_ i: Int, reader: WKBReader) throws -> Geometry? {
        guard !(try isNull(i)) else { return nil }
        let p = sqlite3_column_blob(stmt, Int32(i))
        let n = Int(sqlite3_column_bytes(stmt, Int32(i)))
        do {
            return try reader.read(UnsafeRawBufferPointer(start: p, count: p == nil ? 0 : n))
        } catch SpatialError.parse(let format, _, let message) {
            throw SpatialError.parse(format: format, location: "column \(i) '\(columnNames[i])' (\(n) bytes) of: \(sql)", message: message)
        }
    }

    /// How `appendJSON` writes a column.
    public enum JSONColumn: Sendable {
        /// Text as a JSON string.
        case string
        case integer
        /// A double, shortest round-trip text.
        case real
        /// 0 → false, anything else → true.
        case boolean
        /// Text that is JSON already (e.g. SQLite's `props -> '$.key'`), copied as it is.
        case rawJSON
    }

    /// Appends column `i` of the current row as JSON text (`null` for NULL), straight from SQLite's buffers:
    /// the fast path for writing many rows as JSON.
    public func appendJSON(_ i: Int, as kind: JSONColumn, to out: inout [UInt8]) {
        let c = Int32(i)
        guard sqlite3_column_type(stmt, c) != SQLITE_NULL else {
            out.appendASCII("null")
            return
        }
        switch kind {
        case .integer: out.appendInt(sqlite3_column_int64(stmt, c))
        case .real: out.appendDouble(sqlite3_column_double(stmt, c))
        case .boolean: if sqlite3_column_int64(stmt, c) != 0 { out.appendASCII("true") } else { out.appendASCII("false") }
        case .string, .rawJSON:
            let p = sqlite3_column_text(stmt, c)
            let n = Int(sqlite3_column_bytes(stmt, c))
            let text = UnsafeBufferPointer(start: p, count: p == nil ? 0 : n)
            if kind == .string { out.appendJSONString(utf8: text) } else { out.append(contentsOf: text) }
        }
    }

    public func value(_ i: Int) throws -> SQLValue {
        switch sqlite3_column_type(stmt, try column(i)) {
        case SQLITE_INTEGER: .integer(sqlite3_column_int64(stmt, Int32(i)))
        case SQLITE_FLOAT: .real(sqlite3_column_double(stmt, Int32(i)))
        case SQLITE_TEXT: try string(i).map(SQLValue.text) ?? .null
        case SQLITE_BLOB: try blob(i).map(SQLValue.blob) ?? .null
        default: .null
        }
    }
}
