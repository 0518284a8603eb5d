// A JSON value that keeps what GeoJSON properties need to round-trip: integers stay integers
// (exactly, as Int64), floating-point numbers keep their double, and object members keep
// their order for writing.

/// Any JSON value.
///
/// Numbers come in two cases: a number written without fraction or exponent that fits an
/// `Int64` reads as `.int` (and is written back as an integer, so an id `12` stays `12`);
/// every other number reads as `.number` (a `Double`, correctly rounded). Integers outside
/// the `Int64` range read as the nearest `Double`.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var isNull: Bool { if case .null = self { true } else { false } }

    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    /// The value of `.int`, or of a `.number` that is a whole number inside the `Int64` range.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .number(let d): return Int64(exactly: d)
        default: return nil
        }
    }

    /// The value of `.number`, or of `.int` converted to `Double`.
    public var doubleValue: Double? {
        switch self {
        case .number(let d): d
        case .int(let i): Double(i)
        default: nil
        }
    }

    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }

    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }

    /// The member `key` of an object (nil for other values or a missing key).
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

extension JSONValue {
    /// Parses one JSON text (RFC 8259; a leading UTF-8 byte order mark is skipped).
    /// - Throws: `SpatialError.parse(format: "JSON", location: "line L, column C", ...)` for a
    ///   syntax error, with the path of the enclosing members when there is one.
    public init(parsing bytes: [UInt8]) throws {
        self = try JSONReader.parseDocument(bytes, format: "JSON") { reader throws(JSONFailure) in
            try reader.parseValue()
        }
    }

    /// Parses one JSON text.
    public init(parsing text: String) throws {
        self = try JSONReader.parseDocument(text, format: "JSON") { reader throws(JSONFailure) in
            try reader.parseValue()
        }
    }

    /// Compact JSON text (no insignificant whitespace). Doubles are written as the shortest text
    /// that reads back to the same value; non-finite doubles, which JSON cannot hold, as `null`.
    public var jsonText: String {
        var out: [UInt8] = []
        out.appendJSON(self)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact JSON text of this value to `out` (UTF-8).
    public func appendJSON(to out: inout [UInt8]) { out.appendJSON(self) }
}

/// A JSON object: members in their order of insertion (or of the input text), looked up by key.
///
/// Keys are unique: setting an existing key replaces its value in place, and a parsed object
/// with a repeated key keeps the last value at the first position. Two objects are equal when
/// they have the same members, in any order (JSON's data model), although the order is kept for
/// writing.
public struct JSONObject: Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public struct Member: Hashable, Sendable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Objects larger than this keep a key → position dictionary; smaller ones are scanned.
    static let indexThreshold = 16

    public private(set) var members: [Member]
    private var index: [String: Int]?

    public init() {
        members = []
        index = nil
    }

    /// An object with the given members, in order; for a repeated key the last value wins.
    public init(_ members: some Sequence<(String, JSONValue)>) {
        self.init()
        for (k, v) in members { self[k] = v }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    /// Trusted fast path for the parser: `members` must have unique keys.
    init(uniqueMembers: [Member]) {
        members = uniqueMembers
        index = nil
        if members.count > Self.indexThreshold { rebuildIndex() }
    }

    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> Member { members[position] }

    /// The keys, in order.
    public var keys: [String] { members.map(\.key) }

    func position(of key: String) -> Int? {
        if let index { return index[key] }
        for i in members.indices where members[i].key == key { return i }
        return nil
    }

    /// The value for `key`; setting nil removes the member, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let i = position(of: key) {
                if let newValue { members[i].value = newValue } else { removeMember(at: i) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
                if index != nil {
                    index![key] = members.count - 1
                } else if members.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    /// Removes the member `key` and returns its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = position(of: key) else { return nil }
        let v = members[i].value
        removeMember(at: i)
        return v
    }

    private mutating func removeMember(at i: Int) {
        members.remove(at: i)
        if members.count > Self.indexThreshold { rebuildIndex() } else { index = nil }
    }

    private mutating func rebuildIndex() {
        var d = [String: Int](minimumCapacity: members.count)
        for (i, m) in members.enumerated() { d[m.key] = i }
        index = d
    }

    public var description: String { JSONValue.object(self).jsonText }
}

extension JSONObject: Hashable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        if lhs.members == rhs.members { return true }  // same order: the common case
        for m in lhs.members {
            guard let v = rhs[m.key], v == m.value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==.
        var sum = 0
        for m in members {
            var h = Hasher()
            h.combine(m)
            sum &+= h.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(sum)
    }
}
