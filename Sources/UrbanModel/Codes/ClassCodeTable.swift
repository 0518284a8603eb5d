internal import SpatialCore

/// A component (部件) or event (事件) class-code table, loaded from a CSV file such as
/// `GeoData/codes/components.csv` or `GeoData/codes/events.csv` (layout in `GeoData/codes/README.md`).
///
/// Class codes are strings: a major class (大类, e.g. `01`) and minor classes (小类) that start with their
/// major class (e.g. `0101`). Lengths are not fixed here, so a table of the claimed 5-digit type codes loads
/// the same way. Cities extend and reorder the national lists, so a deployment ships its own file.
public struct ClassCodeTable: Hashable, Sendable {
    /// One class: a major class when `minor` is nil, otherwise a minor class.
    public struct Entry: Hashable, Sendable {
        /// The major class code, e.g. `01`.
        public var major: String
        /// The minor class code including its major prefix, e.g. `0101`; nil for a major-class row.
        public var minor: String?
        /// Chinese name, e.g. 上水井盖.
        public var nameZH: String
        /// English gloss.
        public var nameEN: String
        public var confidence: Confidence
        /// Source tags of domain-facts.md, e.g. `["S10", "S11"]`.
        public var sources: [String]
        public var note: String
        /// The 1-based line of the file that defined it.
        public var line: Int

        /// The entry's code: `minor` for a minor class, `major` for a major class.
        public var code: String { minor ?? major }
        public var isMajor: Bool { minor == nil }
    }

    /// The columns a table file must have (in any order); `sources` and `note` are optional.
    public static let requiredColumns = ["major", "minor", "name_zh", "name_en", "confidence"]
    public static let optionalColumns = ["sources", "note"]

    /// The file the table was read from, as given.
    public let file: String
    /// Major classes in file order.
    public let majorClasses: [Entry]
    /// Minor classes in file order.
    public let minorClasses: [Entry]
    private let byCode: [String: Entry]

    /// Loads the table at `path` (e.g. `GeoData/codes/components.csv`).
    public init(contentsOfFile path: String) throws(ModelError) {
        try self.init(csv: DataFile.text(atPath: path), file: path)
    }

    /// Parses table text; `file` names it in errors.
    public init(csv text: String, file: String) throws(ModelError) {
        self.file = file
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first else {
            throw .malformedRecord(ModelError.Location(file: file, line: 1), reason: "empty file: expected a header line")
        }
        let columns = try Self.fields(header, file: file, line: 1)
        var index: [String: Int] = [:]
        for (i, name) in columns.enumerated() {
            let name = name.trimmingSpaces
            guard Self.requiredColumns.contains(name) || Self.optionalColumns.contains(name) else {
                throw .malformedRecord(ModelError.Location(file: file, line: 1, field: name), reason: "unknown column")
            }
            guard index[name] == nil else {
                throw .malformedRecord(ModelError.Location(file: file, line: 1, field: name), reason: "column given twice")
            }
            index[name] = i
        }
        for name in Self.requiredColumns where index[name] == nil {
            throw .malformedRecord(ModelError.Location(file: file, line: 1, field: name), reason: "missing column")
        }

        var majors: [Entry] = []
        var minors: [Entry] = []
        var byCode: [String: Entry] = [:]
        for (offset, line) in lines.enumerated().dropFirst() where !line.allSatisfy(\.isWhitespace) {
            let lineNumber = offset + 1
            let values = try Self.fields(line, file: file, line: lineNumber)
            guard values.count == columns.count else {
                throw .malformedRecord(
                    ModelError.Location(file: file, line: lineNumber),
                    reason: "\(values.count) fields; the header has \(columns.count)")
            }
            func value(_ column: String) -> String { index[column].map { values[$0].trimmingSpaces } ?? "" }
            func fail(_ column: String, _ reason: String) -> ModelError {
                .malformedRecord(ModelError.Location(file: file, line: lineNumber, field: column), reason: reason)
            }

            let major = value("major")
            guard !major.isEmpty, major.allSatisfy(\.isASCIIDigit) else { throw fail("major", "'\(major)' is not a digit code") }
            guard major.contains(where: { $0 != "0" }) else { throw fail("major", "'\(major)' is all zeros") }
            let minorText = value("minor")
            var minor: String? = nil
            if !minorText.isEmpty {
                guard minorText.allSatisfy(\.isASCIIDigit) else { throw fail("minor", "'\(minorText)' is not a digit code") }
                guard minorText.count > major.count, minorText.hasPrefix(major) else {
                    throw fail("minor", "'\(minorText)' does not extend its major class \(major)")
                }
                guard minorText.dropFirst(major.count).contains(where: { $0 != "0" }) else {
                    throw fail("minor", "'\(minorText)' has an all-zero minor part")
                }
                minor = minorText
            }
            let nameZH = value("name_zh")
            guard !nameZH.isEmpty else { throw fail("name_zh", "empty name") }
            let confidenceText = value("confidence")
            guard let confidence = Confidence(rawValue: confidenceText) else {
                throw fail("confidence", "'\(confidenceText)' is not one of C, P, U")
            }
            let entry = Entry(
                major: major, minor: minor, nameZH: nameZH, nameEN: value("name_en"), confidence: confidence,
                sources: value("sources").split(separator: " ").map(String.init), note: value("note"),
                line: lineNumber)
            if let first = byCode[entry.code] {
                throw .duplicateKey(
                    ModelError.Location(file: file, line: lineNumber, field: minor == nil ? "major" : "minor"),
                    key: entry.code, firstLine: first.line)
            }
            byCode[entry.code] = entry
            if minor == nil { majors.append(entry) } else { minors.append(entry) }
        }
        // Every minor class needs its major class somewhere in the file.
        for entry in minors where byCode[entry.major] == nil {
            throw .malformedRecord(
                ModelError.Location(file: file, line: entry.line, field: "major"),
                reason: "major class \(entry.major) has no row of its own")
        }
        self.majorClasses = majors
        self.minorClasses = minors
        self.byCode = byCode
    }

    /// The class with that code: a major (`01`) or minor (`0101`) class code.
    public func entry(for code: String) -> Entry? { byCode[code] }

    /// Shorthand: `table["0118"]?.nameZH == "路灯"`.
    public subscript(code: String) -> Entry? { byCode[code] }

    /// The minor classes of a major class, in file order (empty for an unknown major class).
    public func minorClasses(inMajor major: String) -> [Entry] {
        minorClasses.filter { $0.major == major }
    }

    /// The class of a split component or event code: looks up the `major` field joined with the `minor` field
    /// (e.g. `01` + `01` → `0101` for a legacy component ID). Nil when the code has no such fields or the
    /// table lacks the class.
    public func entry(for code: CodeLayout.Fields) -> Entry? {
        guard let major = code["major"], let minor = code["minor"] else { return nil }
        return byCode[major + minor]
    }

    public static func == (lhs: ClassCodeTable, rhs: ClassCodeTable) -> Bool {
        lhs.file == rhs.file && lhs.majorClasses == rhs.majorClasses && lhs.minorClasses == rhs.minorClasses
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(file)
        hasher.combine(majorClasses)
        hasher.combine(minorClasses)
    }

    private static func fields(_ line: Substring, file: String, line number: Int) throws(ModelError) -> [String] {
        do throws(CSVText.Malformed) {
            return try CSVText.records(String(line)).first?.fields ?? [""]
        } catch {
            throw .malformedRecord(
                ModelError.Location(file: file, line: number, field: "character \(error.column)"), reason: error.reason)
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
