internal import SpatialCore

/// The digit layout of one kind of code — e.g. the 15-digit unit-grid code, county 6 + street 3 + community 3 +
/// sequence 3 — as data read from `GeoData/codes/layouts.json`, so a new edition of a standard or a city's own
/// scheme is a data change.
public struct CodeLayout: Hashable, Sendable {
    /// One named run of digits.
    public struct Field: Hashable, Sendable {
        public var name: String
        public var length: Int
        /// 0-based offset of the field's first digit in the code (set by the layout).
        public internal(set) var offset: Int
        /// The field may not be all zeros (a county code, a grid sequence).
        public var nonZero: Bool
        /// The rule or standard that governs the values, e.g. `GB/T 2260`.
        public var rule: String?

        public init(name: String, length: Int, nonZero: Bool = false, rule: String? = nil) {
            self.name = name
            self.length = length
            self.offset = 0
            self.nonZero = nonZero
            self.rule = rule
        }

        /// The largest value the field can hold (999 for three digits).
        public var maxValue: Int {
            var m = 1
            for _ in 0..<min(length, 18) { m *= 10 }
            return m - 1
        }
    }

    /// A code split into its fields; `fields["street"]` is that field's digits.
    public struct Fields: Hashable, Sendable {
        public let layout: String
        public let code: String
        public let names: [String]
        public let values: [String]

        /// The digits of the field with that name (nil when the layout has no such field).
        public subscript(name: String) -> String? {
            names.firstIndex(of: name).map { values[$0] }
        }
    }

    /// The layout's key in layouts.json, e.g. `grid`, `component-legacy`, `admin-community`.
    public let name: String
    public let title: String
    public let confidence: Confidence
    public let sources: [String]
    public let note: String
    public let fields: [Field]
    /// Total number of digits (the sum of the field lengths).
    public let length: Int

    /// A layout from its fields, in order; offsets and the total length follow from them.
    /// - Throws: `invalidArgument` for no fields, a field shorter than one digit, or a repeated field name.
    public init(
        name: String, title: String = "", confidence: Confidence = .unverified, sources: [String] = [],
        note: String = "", fields: [Field]
    ) throws(ModelError) {
        guard !fields.isEmpty else { throw .invalidArgument(name: "layout \(name)", reason: "no fields") }
        var placed: [Field] = []
        var offset = 0
        for var field in fields {
            guard field.length >= 1 else {
                throw .invalidArgument(name: "layout \(name) field \(field.name)", reason: "length \(field.length) < 1")
            }
            guard !placed.contains(where: { $0.name == field.name }) else {
                throw .invalidArgument(name: "layout \(name) field \(field.name)", reason: "name used twice")
            }
            field.offset = offset
            offset += field.length
            placed.append(field)
        }
        self.name = name
        self.title = title
        self.confidence = confidence
        self.sources = sources
        self.note = note
        self.fields = placed
        self.length = offset
    }

    /// The field with that name.
    public func field(named name: String) -> Field? { fields.first { $0.name == name } }

    /// Checks `code` against the layout and splits it into its fields. The checks, in order: the length; every
    /// character an ASCII digit (the error names the 1-based position and its field); no `nonZero` field all
    /// zeros.
    public func split(_ code: String) throws(ModelError) -> Fields {
        let chars = Array(code)
        guard chars.count == length else {
            throw .wrongCodeLength(layout: name, code: code, expected: [length], actual: chars.count)
        }
        var values: [String] = []
        for field in fields {
            let digits = chars[field.offset..<(field.offset + field.length)]
            if let bad = digits.firstIndex(where: { !$0.isASCIIDigit }) {
                throw .nonDigit(layout: name, code: code, position: bad + 1, field: field.name, character: String(chars[bad]))
            }
            values.append(String(digits))
        }
        for (field, value) in zip(fields, values) where field.nonZero && value.allSatisfy({ $0 == "0" }) {
            throw .zeroField(layout: name, code: code, field: field.name, position: field.offset + 1)
        }
        return Fields(layout: name, code: code, names: fields.map(\.name), values: values)
    }

    /// Whether `code` passes `split(_:)`.
    public func isValid(_ code: String) -> Bool { (try? split(code)) != nil }

    /// Joins field values into a code: each value is zero-padded to its field's length.
    /// - Throws: `fieldOutOfRange` for a negative value or one with too many digits; `invalidArgument` when
    ///   the values don't name exactly the layout's fields; `zeroField` for a zero `nonZero` field.
    public func compose(_ values: [String: Int]) throws(ModelError) -> String {
        guard Set(values.keys) == Set(fields.map(\.name)) else {
            throw .invalidArgument(
                name: "\(name) fields", reason: "expected \(fields.map(\.name).joined(separator: ", "))")
        }
        var code = ""
        for field in fields {
            let value = values[field.name]!
            let lower = field.nonZero ? 1 : 0
            guard value >= lower, value <= field.maxValue else {
                throw .fieldOutOfRange(layout: name, field: field.name, value: value, allowed: lower...field.maxValue)
            }
            let text = String(value)
            code += String(repeating: "0", count: field.length - text.count) + text
        }
        return code
    }
}

/// The layouts of `GeoData/codes/layouts.json`, looked up by name.
public struct CodeLayouts: Hashable, Sendable {
    /// The file they were read from ("" for built-in layouts).
    public let file: String
    /// In file order.
    public let layouts: [CodeLayout]

    public init(file: String = "", layouts: [CodeLayout]) {
        self.file = file
        self.layouts = layouts
    }

    /// Loads `layouts.json` at `path`.
    public init(contentsOfFile path: String) throws(ModelError) {
        try self.init(json: DataFile.text(atPath: path), file: path)
    }

    /// Parses layouts JSON; `file` names it in errors, whose `field` is the JSON path of the bad member.
    public init(json text: String, file: String) throws(ModelError) {
        let root: JSONValue
        do {
            root = try JSONValue(parsing: text)
        } catch let error as SpatialError {
            if case .parse(_, let location, let message) = error {
                throw .malformedRecord(ModelError.Location(file: file, field: location), reason: message)
            }
            throw .malformedRecord(ModelError.Location(file: file), reason: error.description)
        } catch {
            throw .malformedRecord(ModelError.Location(file: file), reason: "\(error)")
        }
        func fail(_ path: String, _ reason: String) -> ModelError {
            .malformedRecord(ModelError.Location(file: file, field: path), reason: reason)
        }
        guard let list = root["layouts"]?.arrayValue else { throw fail("layouts", "expected an array of layouts") }
        var layouts: [CodeLayout] = []
        for (i, item) in list.enumerated() {
            let at = "layouts[\(i)]"
            guard let name = item["name"]?.stringValue, !name.isEmpty else { throw fail("\(at).name", "expected a non-empty string") }
            guard !layouts.contains(where: { $0.name == name }) else { throw fail("\(at).name", "layout '\(name)' defined twice") }
            let confidenceText = item["confidence"]?.stringValue ?? ""
            guard let confidence = Confidence(rawValue: confidenceText) else {
                throw fail("\(at).confidence", "'\(confidenceText)' is not one of C, P, U")
            }
            guard let fieldList = item["fields"]?.arrayValue, !fieldList.isEmpty else {
                throw fail("\(at).fields", "expected a non-empty array of fields")
            }
            var fields: [CodeLayout.Field] = []
            for (j, f) in fieldList.enumerated() {
                let fat = "\(at).fields[\(j)]"
                guard let fieldName = f["name"]?.stringValue, !fieldName.isEmpty else {
                    throw fail("\(fat).name", "expected a non-empty string")
                }
                guard let length = f["length"]?.intValue, length >= 1, length <= 18 else {
                    throw fail("\(fat).length", "expected an integer 1...18")
                }
                let nonZero = f["nonZero"]
                guard nonZero == nil || nonZero?.boolValue != nil else { throw fail("\(fat).nonZero", "expected true or false") }
                fields.append(
                    CodeLayout.Field(
                        name: fieldName, length: Int(length), nonZero: nonZero?.boolValue ?? false,
                        rule: f["rule"]?.stringValue))
            }
            let layout: CodeLayout
            do {
                layout = try CodeLayout(
                    name: name, title: item["title"]?.stringValue ?? "", confidence: confidence,
                    sources: item["sources"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    note: item["note"]?.stringValue ?? "", fields: fields)
            } catch {
                throw fail("\(at).fields", error.description)
            }
            if let stated = item["length"] {
                guard let n = stated.intValue, Int(n) == layout.length else {
                    throw fail("\(at).length", "\(stated.jsonText) differs from the sum of the field lengths, \(layout.length)")
                }
            }
            layouts.append(layout)
        }
        self.file = file
        self.layouts = layouts
    }

    /// The layout with that name, or nil.
    public subscript(name: String) -> CodeLayout? { layouts.first { $0.name == name } }

    /// The layout with that name.
    /// - Throws: `unknownLayout`.
    public func layout(named name: String) throws(ModelError) -> CodeLayout {
        guard let layout = self[name] else { throw .unknownLayout(name) }
        return layout
    }
}

extension CodeLayout {
    /// The 15-digit unit-grid code (county 6 + street 3 + community 3 + sequence 3), built in so `GridCode`
    /// works without a file; it mirrors `grid` in GeoData/codes/layouts.json, and a test checks they agree.
    public static let grid = try! CodeLayout(
        name: "grid", title: "单元网格代码 (unit-grid code)", confidence: .published, sources: ["S1", "S9"],
        note: "Sequence numbered west to east, then north to south, within the community. Missing street/community levels are zeros.",
        fields: [
            Field(name: "county", length: 6, nonZero: true, rule: "GB/T 2260"),
            Field(name: "street", length: 3, rule: "GB/T 10114"),
            Field(name: "community", length: 3),
            Field(name: "sequence", length: 3, nonZero: true),
        ])

    /// The administrative-division layouts (6/9/12 digits), built in; they mirror `admin-county`,
    /// `admin-street` and `admin-community` in GeoData/codes/layouts.json, and a test checks they agree.
    public static let admin: [CodeLayout] = [
        try! CodeLayout(
            name: "admin-county", title: "县级及以上行政区划代码 (county level)", confidence: .confirmed, sources: ["S14"],
            fields: [Field(name: "county", length: 6, nonZero: true, rule: "GB/T 2260")]),
        try! CodeLayout(
            name: "admin-street", title: "乡级行政区划代码 (street/township level)", confidence: .confirmed,
            sources: ["S15"],
            fields: [
                Field(name: "county", length: 6, nonZero: true, rule: "GB/T 2260"),
                Field(name: "street", length: 3, nonZero: true, rule: "GB/T 10114"),
            ]),
        try! CodeLayout(
            name: "admin-community", title: "统计用区划代码, village level (community/village)", confidence: .published,
            sources: ["S15"],
            fields: [
                Field(name: "county", length: 6, nonZero: true, rule: "GB/T 2260"),
                Field(name: "street", length: 3, nonZero: true, rule: "GB/T 10114"),
                Field(name: "community", length: 3, nonZero: true, rule: "国统字〔2009〕91号"),
            ]),
    ]
}
