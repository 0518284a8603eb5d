public import Foundation
public import SpatialCore

/// One feature mapped onto a layer's columns, or the error that says which field is wrong.
public struct LayerRow {
    public var id: String
    /// The feature's index in its file.
    public var index: Int
    /// The id, the schema's columns and `props`, in that order.
    public var values: [(any SQLBindable)?]
    public var geometry: Geometry?
    /// The layer's derived columns (`LayerImport.derivedColumns`), filled by `UrbanDatabase.derive`.
    public var derived: [(any SQLBindable)?] = []
    /// The keys of `props` in order, each with its value's JSON type as SQLite's `json_each` names it (integer,
    /// real, text, true, false, null, array, object): what the layer's property-key list is made of.
    public var propertyTypes: [(key: String, type: String)] = []

    /// The values in the order of `LayerImport.columns(of:)`: the id, the columns, `props`, the derived columns,
    /// the geometry (layers that have one).
    public var bindings: [(any SQLBindable)?] { values + derived + (geometry.map { [$0] } ?? []) }

    public init(_ f: Feature, index i: Int, schema: LayerSchema, source: String, timeZone: TimeZone) throws {
        index = i
        func fail(_ field: String, _ reason: String) -> ModelError {
            .malformedRecord(.init(file: source, field: "features[\(i)].\(field)"), reason: reason)
        }
        let props = f.properties ?? JSONObject()
        switch f.id {
        case .string(let s)?:
            guard !s.utf8.contains(0) else { throw fail("id", "contains the character U+0000 (NUL), which a database cannot store as text") }
            id = s
        case .int(let v)?: id = String(v)
        case .number(let v)?: id = NumberText.format(v)
        case nil:
            if let code = props["code"]?.stringValue, schema.columns.contains(where: { $0.name == "code" }) { id = code } else {
                id = String(i + 1)  // no id in the file: its position, 1-based
            }
        }
        var used: [String] = []  // a few names: a list is cheaper than a set
        var values: [(any SQLBindable)?] = [id]
        values.reserveCapacity(schema.columns.count + 2)
        var reverseLine = false
        for c in schema.columns {
            var key: String?
            if let v = props[c.name], v != .null { key = c.name } else {
                for a in c.aliases where props[a] != nil && props[a] != .null {
                    key = a
                    break
                }
            }
            if let key { used.append(key) }
            var field: String { "properties.\(key ?? c.name)" }  // for the error messages only
            guard let key, let v = props[key] else {
                if c.required { throw fail("properties.\(c.name)", "required for layer \(schema.layer.rawValue)") }
                values.append(nil)
                continue
            }
            switch c.type {
            case .text:
                let s: String
                switch v {
                case .string(let t):
                    // a database stores no U+0000 in text (PostgreSQL refuses it; SQLite would cut C strings there)
                    guard !t.utf8.contains(0) else { throw fail(field, "contains the character U+0000 (NUL), which a database cannot store as text") }
                    s = t
                case .int(let n): s = String(n)  // codes often arrive as numbers
                default: throw fail(field, "expected text, found \(v.jsonText)")
                }
                if schema.layer == .hazards, c.name == "kind" {  // 部件/事件 too, stored as component/event
                    guard let kind = CaseWorkflow.Kind(text: s) else {
                        throw fail(field, "'\(s)' is not component (部件) or event (事件)")
                    }
                    values.append(kind.rawValue)
                    continue
                }
                if let allowed = c.allowed, !allowed.contains(s) {
                    throw fail(field, "'\(s)' is not one of \(allowed.joined(separator: ", "))")
                }
                if c.name == "hours" || c.name == "on_duty" {  // hours must be evaluable: OSM opening_hours syntax
                    do { _ = try OpeningHours(s) } catch { throw fail(field, "\(error)") }
                }
                values.append(s)
            case .integer where schema.layer == .hazards && c.name == "severity":
                // a grade of the one table (`SeverityGrade`): 1–4 or its name, stored as the number
                let text = v.stringValue ?? v.intValue.map { String($0) } ?? v.doubleValue.flatMap { $0 == $0.rounded() ? Int64(exactly: $0) : nil }.map { String($0) }
                guard let text, let grade = SeverityGrade(text: text) else {
                    throw fail(field, "\(v.jsonText) is not a grade: \(SeverityGrade.accepted)")
                }
                values.append(Int64(grade.rawValue))
            case .integer:
                guard let n = v.intValue ?? v.doubleValue.flatMap({ $0 == $0.rounded() ? Int64(exactly: $0) : nil }) else {
                    throw fail(field, "expected an integer, found \(v.jsonText)")
                }
                values.append(n)
            case .real:
                guard let d = v.doubleValue, d.isFinite else { throw fail(field, "expected a number, found \(v.jsonText)") }
                values.append(d)
            case .time:
                guard let text = v.stringValue, let t = Self.isoTime(text, in: timeZone) else {
                    throw fail(field, "expected an ISO 8601 time such as 2026-11-21T09:30:00+08:00, found \(v.jsonText)")
                }
                values.append(t)
            case .boolean:
                // OSM's values too: yes/no, 1/0, true/false (as text or JSON); a one-way street's -1 (or `reverse`)
                // means travel against the line's direction: the line is turned around below and stored as one-way
                let text = v.stringValue?.lowercased() ?? v.intValue.map { String($0) }
                if c.name == "oneway", text == "-1" || text == "reverse" {
                    reverseLine = true
                    values.append(true)
                    continue
                }
                guard let b = v.boolValue ?? text.flatMap({ ["yes": true, "true": true, "1": true, "no": false, "false": false, "0": false][$0] }) else {
                    throw fail(field, "expected true or false (or yes/no, 1/0\(c.name == "oneway" ? ", -1 for one-way against the line's direction" : "")), found \(v.jsonText)")
                }
                values.append(b)
            }
        }
        if schema.layer == .admin { try Self.checkAdmin(values, schema, fail) }
        if let i = schema.columns.firstIndex(where: { $0.name == "grid_code" }), let code = values[i + 1] as? String {
            do { _ = try GridCode(parsing: code) } catch { throw fail("properties.grid_code", "\(error)") }
        }
        // not extra: a null given for a column (the column is NULL), and an `id` property repeating the feature id
        // (a CSV's id column); either would come back as a second copy on export
        for c in schema.columns {
            if props[c.name] == .null { used.append(c.name) }
            for k in c.aliases where props[k] == .null { used.append(k) }
        }
        if let p = props["id"], (p.stringValue ?? p.intValue.map { String($0) }) == id { used.append("id") }
        let rest = props.members.allSatisfy({ used.contains($0.key) }) ? JSONObject()  // every member a column (or the id)
            : JSONObject(props.members.filter { !used.contains($0.key) }.map { ($0.key, $0.value) })
        values.append(rest.isEmpty ? nil : JSONValue.object(rest).jsonText)
        propertyTypes = rest.members.map { ($0.key, Self.jsonType($0.value)) }
        if schema.geometry != .none {
            guard let g = f.geometry else { throw fail("geometry", "missing geometry") }
            geometry = try Self.fit(g, schema.geometry, fail)
            if reverseLine, case .lineString(let l)? = geometry {  // oneway=-1: store the line in the direction of travel
                geometry = .lineString(try LineString(l.coordinates.reversed()))
                if let f = schema.columns.firstIndex(where: { $0.name == "from_node" }), let t = schema.columns.firstIndex(where: { $0.name == "to_node" }) {
                    values.swapAt(f + 1, t + 1)  // +1: the id comes first
                }
            }
        }
        self.values = values
    }

    /// The JSON type of a value as SQLite's `json_each` names it, from the text `jsonText` writes (an `.int` is
    /// written without a fraction or exponent, a `.number` always with one).
    static func jsonType(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int: "integer"
        case .number(let d): d.isFinite ? "real" : "null"
        case .string: "text"
        case .array: "array"
        case .object: "object"
        }
    }

    /// An admin area's code is a well-formed division code whose length matches its level (district 6,
    /// street 9, community 12 digits), and its parent code, when given, is the code's own prefix one level up.
    static func checkAdmin(_ values: [(any SQLBindable)?], _ schema: LayerSchema, _ fail: (String, String) -> ModelError) throws {
        func text(_ column: String) -> String? {
            schema.columns.firstIndex { $0.name == column }.flatMap { values[$0 + 1] as? String }  // +1: the id comes first
        }
        guard let codeText = text("code"), let levelText = text("level") else { return }
        let code: AdminCode
        do { code = try AdminCode(parsing: codeText) } catch { throw fail("properties.code", "\(error)") }
        let level: AdminCode.Level = switch levelText {
        case "district": .county
        case "street": .street
        default: .community
        }
        guard code.level == level else {
            throw fail("properties.level", "'\(levelText)' but code \(codeText) has \(codeText.count) digits, a \(code.level) code")
        }
        if let parent = text("parent_code"), let expected = code.parent?.code, parent != expected {
            throw fail("properties.parent_code", "\(parent) is not the parent of \(codeText) (expected \(expected))")
        }
    }

    /// An ISO 8601 date or date-time, normalised to `yyyy-MM-ddTHH:mm:ss±hh:mm` (see `ISOTime`).
    static func isoTime(_ text: String, in zone: TimeZone) -> String? {
        ISOTime.date(text, in: zone).map { ISOTime.string($0, in: zone) }
    }

    /// The geometry in the layer's column type: polygons become multipolygons; anything else must match.
    static func fit(_ g: Geometry, _ kind: LayerSchema.GeometryKind, _ fail: (String, String) -> ModelError) throws -> Geometry {
        switch (kind, g) {
        case (.any, _), (.point, .point), (.lineString, .lineString), (.multiPolygon, .multiPolygon): return g
        case (.multiPolygon, .polygon(let p)): return .multiPolygon(MultiPolygon([p]))
        default: throw fail("geometry", "a \(g.typeName) where this layer takes \(kind.rawValue.lowercased())")
        }
    }
}
