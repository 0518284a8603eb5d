/// The one error type of the domain layer. Every case says *where* (file, line, field, position) and *what*
/// (the value and the rule it broke), so a message can point a user at the exact spot to fix.
///
/// Cases are grouped by the data they concern. Later model code (imports, grids, opening hours) adds its own
/// group; callers that only report errors use `description`, callers that react to one kind match its case.
/// `Location` is the shared "where" for anything read from a file.
public enum ModelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where in a data file: the file's path as given, the 1-based line (nil for the file as a whole or for
    /// non-line formats), and the field — a CSV column name or a JSON path such as `layouts[2].fields[0].length`.
    public struct Location: Hashable, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var field: String?

        public init(file: String, line: Int? = nil, field: String? = nil) {
            self.file = file
            self.line = line
            self.field = field
        }

        public var description: String {
            var s = file
            if let line { s += ":\(line)" }
            if let field { s += " (\(field))" }
            return s
        }
    }

    // MARK: Data files

    /// The file could not be read at all (missing, unreadable, not UTF-8).
    case unreadableFile(path: String, reason: String)
    /// A record of a data file breaks the file's format: wrong column count, a bad value, an unterminated quote,
    /// a missing JSON member...
    case malformedRecord(Location, reason: String)
    /// A key (e.g. a class code) appears twice; `firstLine` is where it was first defined.
    case duplicateKey(Location, key: String, firstLine: Int)

    // MARK: Codes (grid, component, event, admin division)

    /// No layout of that name in the loaded layouts.
    case unknownLayout(String)
    /// A code has the wrong number of characters for `layout`; `expected` lists every accepted length.
    case wrongCodeLength(layout: String, code: String, expected: [Int], actual: Int)
    /// The character at 1-based `position` of `code` is not an ASCII digit; `field` is the layout field there.
    case nonDigit(layout: String, code: String, position: Int, field: String, character: String)
    /// A field that must not be all zeros is (e.g. grid sequence `000`, county `000000`); `position` is the
    /// field's first character, 1-based.
    case zeroField(layout: String, code: String, field: String, position: Int)
    /// A numeric field value given to a constructor does not fit the field.
    case fieldOutOfRange(layout: String, field: String, value: Int, allowed: ClosedRange<Int>)
    /// An argument that is not a code breaks its rule (a negative tolerance, a non-finite coordinate...).
    case invalidArgument(name: String, reason: String)

    // MARK: Databases

    /// A database could not be reached, opened, created or written (a server down, a wrong password, a schema of
    /// another application or of a newer UrbanGrid). `database` names it as it may be shown: never with a password.
    case database(String, reason: String)
    /// A statement stopped at its time limit (the service's per-request limit: PostgreSQL's `statement_timeout`).
    case interrupted(String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            "cannot read \(path): \(reason)"
        case .malformedRecord(let at, let reason):
            "\(at): \(reason)"
        case .duplicateKey(let at, let key, let firstLine):
            "\(at): duplicate key \(key) (first defined on line \(firstLine))"
        case .unknownLayout(let name):
            "unknown code layout '\(name)'"
        case .wrongCodeLength(let layout, let code, let expected, let actual):
            "\(layout) code '\(code)' has \(actual) characters; expected "
                + expected.map(String.init).joined(separator: " or ")
        case .nonDigit(let layout, let code, let position, let field, let character):
            "\(layout) code '\(code)': character \(position) ('\(character)', in field \(field)) is not a digit 0-9"
        case .zeroField(let layout, let code, let field, let position):
            "\(layout) code '\(code)': field \(field) (from character \(position)) must not be all zeros"
        case .fieldOutOfRange(let layout, let field, let value, let allowed):
            "\(layout) field \(field) = \(value) is outside \(allowed.lowerBound)...\(allowed.upperBound)"
        case .invalidArgument(let name, let reason):
            "invalid \(name): \(reason)"
        case .database(let database, let reason), .interrupted(let database, let reason):
            "\(database): \(reason)"
        }
    }
}
